// The player bar at the bottom: shows the current track and drives the player.

import { api, coverUrl, enc } from "./api.js";
import { $, fmtTime, setIcon } from "./dom.js";
import { myPlan, PLAN_CHANGED, qualityLimit } from "./plan.js";
import * as player from "./player.js";
import { session } from "./session.js";
import { announce, announceError } from "./ui.js";

export function initPlayerBar() {
  const play = $("#player-play");
  const shuffle = $("#player-shuffle");
  const repeat = $("#player-repeat");
  const mute = $("#player-mute");
  const seek = $("#player-seek");
  const volume = $("#player-volume");
  const cover = $("#player-cover");
  const title = $("#player-title");
  const artist = $("#player-artist");
  const currentTime = $("#player-current");
  const totalTime = $("#player-duration");
  let dragging = false;

  play.addEventListener("click", () => player.toggle());
  $("#player-prev").addEventListener("click", () => player.previous());
  $("#player-next").addEventListener("click", () => player.next());
  shuffle.addEventListener("click", () => player.setShuffle(!player.shuffleOn()));
  repeat.addEventListener("click", () => player.cycleRepeat());
  mute.addEventListener("click", () => player.setMuted(!player.muted()));
  volume.addEventListener("input", () => {
    player.setVolume(Number(volume.value) / 100);
    if (player.muted() && Number(volume.value) > 0) player.setMuted(false);
  });

  // Seeking: the slider shows the dragged time and seeks when released.
  seek.addEventListener("input", () => {
    dragging = true;
    currentTime.textContent = fmtTime(Number(seek.value));
  });
  seek.addEventListener("change", () => {
    dragging = false;
    player.seek(Number(seek.value));
  });

  const renderTrack = () => {
    const track = player.current();
    const bar = $("#player");
    bar.classList.toggle("empty", !track);
    if (!track) {
      cover.hidden = true;
      cover.removeAttribute("src");
      title.textContent = "Nothing playing";
      title.removeAttribute("href");
      artist.textContent = "";
      artist.removeAttribute("href");
      return;
    }
    cover.src = coverUrl(track.coverArt ?? track.albumId ?? track.id, 112);
    cover.hidden = false;
    title.textContent = track.title;
    if (track.albumId) title.href = `#/album/${enc(track.albumId)}`;
    else title.removeAttribute("href");
    artist.textContent = track.artist ?? "";
    if (track.artistId) artist.href = `#/artist/${enc(track.artistId)}`;
    else artist.removeAttribute("href");
    document.title = `${track.title} · ${track.artist ?? ""} · Canto`;
  };

  const renderState = () => {
    const playing = player.isPlaying();
    play.setAttribute("aria-label", playing ? "Pause" : "Play");
    play.title = playing ? "Pause" : "Play";
    play.dataset.state = playing ? "playing" : "paused";
    setIcon(play, playing ? "pause" : "play");
    shuffle.setAttribute("aria-pressed", player.shuffleOn() ? "true" : "false");
    const mode = player.repeatMode();
    repeat.setAttribute("aria-label", `Repeat: ${mode}`);
    repeat.title = `Repeat: ${mode}`;
    repeat.dataset.mode = mode;
    repeat.classList.toggle("active", mode !== "off");
    setIcon(repeat, mode === "one" ? "repeatOne" : "repeat");
    mute.setAttribute("aria-pressed", player.muted() ? "true" : "false");
    mute.setAttribute("aria-label", player.muted() ? "Unmute" : "Mute");
    setIcon(mute, player.muted() || player.volume() === 0 ? "mute" : "volume");
    volume.value = String(Math.round(player.volume() * 100));
  };

  const renderTime = () => {
    const total = player.duration();
    seek.max = String(Math.max(0, Math.floor(total)));
    totalTime.textContent = fmtTime(total);
    if (dragging) return;
    const now = player.position();
    seek.value = String(Math.floor(now));
    seek.setAttribute("aria-valuetext", `${fmtTime(now)} of ${fmtTime(total)}`);
    currentTime.textContent = fmtTime(now);
  };

  const thumbs = initThumbs();
  const quality = initQuality();
  player.on("track", () => { renderTrack(); renderTime(); thumbs(); quality(); });
  player.on("state", () => { renderState(); quality(); });
  player.on("time", renderTime);
  renderTrack();
  renderState();
  renderTime();
  thumbs();
}

/**
 * The quality the listener's plan holds streams to ("128 kbit/s"), beside the artist while a track
 * is loaded: a link to their plan, labelled with the plan that plays the original files. The first
 * play on such a plan says so once (per listener and plan, in this tab). Returns the function
 * that shows it again when the track or the playing state changes.
 */
function initQuality() {
  const chip = $("#player-quality");
  let limit = null;
  let loading = null; // the user whose plan is being (or was) read

  const said = (key) => {
    try {
      if (sessionStorage.getItem(key)) return true;
      sessionStorage.setItem(key, "1");
    } catch {
      // storage disabled: say it every page
    }
    return false;
  };

  const render = () => {
    const show = Boolean(limit && player.current());
    chip.hidden = !show;
    if (!show) return;
    chip.textContent = limit.short;
    chip.title = limit.message;
    chip.setAttribute("aria-label", `${limit.message} See your plan.`);
    if (player.isPlaying() && !said(`canto.quality-said:${session.me?.id}:${limit.plan}`)) {
      announce(limit.message, { plan: true });
    }
  };

  const load = async () => {
    const user = session.me?.id;
    loading = user;
    try {
      const info = await myPlan();
      if (loading !== user) return;
      const found = qualityLimit(info);
      limit = found && { ...found, plan: info.mine.plan?.id };
    } catch (error) {
      limit = null;
      console.warn("plan", error);
    }
    render();
  };

  window.addEventListener(PLAN_CHANGED, () => {
    loading = null;
    limit = null;
    render();
    if (session.me) load();
  });
  return () => {
    if (session.me && loading !== session.me.id) load();
    else render();
  };
}

/**
 * Thumbs up (stars the track) and down (never recommended again; playback moves on) for the
 * current track, pressed as the server says; pressing a pressed thumb clears it. Returns the
 * function that reads the state again when the track changes.
 */
function initThumbs() {
  const group = $("#player-thumbs");
  const buttons = { up: $("#player-thumb-up"), down: $("#player-thumb-down") };
  let known = { id: null, value: "none" }; // the feedback on track `id`, as the server said

  const render = () => {
    const track = player.current();
    for (const [value, button] of Object.entries(buttons)) {
      button.disabled = !track;
      button.setAttribute("aria-pressed", track && known.id === track.id && known.value === value ? "true" : "false");
    }
  };

  const load = async () => {
    const track = player.current();
    if (track && track.id === known.id) return render();
    known = { id: null, value: "none" };
    render();
    if (!track) return group.removeAttribute("aria-busy");
    group.setAttribute("aria-busy", "true");
    try {
      const { value } = await api(`/tracks/${enc(track.id)}/feedback`);
      if (player.current()?.id !== track.id) return;
      known = { id: track.id, value };
      render();
    } catch (error) {
      console.warn("feedback", error);
    } finally {
      if (player.current()?.id === track.id) group.removeAttribute("aria-busy");
    }
  };

  const press = async (value) => {
    const track = player.current();
    if (!track) return;
    const wanted = known.id === track.id && known.value === value ? "none" : value;
    try {
      const result = await api(`/tracks/${enc(track.id)}/feedback`, { method: "PUT", body: { value: wanted } });
      if (player.current()?.id !== track.id) return;
      known = { id: track.id, value: result?.value ?? wanted };
      render();
      if (wanted === "up") announce(`Starred “${track.title}”.`);
      else if (wanted === "none") announce(`Cleared your thumbs on “${track.title}”.`);
      else {
        announce(`“${track.title}” will not be recommended to you again.`);
        player.next();
        if (player.current()?.id === track.id) player.pause(); // it was the last one
      }
    } catch (error) {
      announceError(error, "Saving your thumbs");
    }
  };
  buttons.up.addEventListener("click", () => press("up"));
  buttons.down.addEventListener("click", () => press("down"));
  return load;
}
