// The player bar at the bottom: shows the current track and drives the player.

import { coverUrl, enc } from "./api.js";
import { $, fmtTime, setIcon } from "./dom.js";
import * as player from "./player.js";

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
    cover.src = coverUrl(track.albumId ?? track.id, 112);
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

  player.on("track", () => { renderTrack(); renderTime(); });
  player.on("state", renderState);
  player.on("time", renderTime);
  renderTrack();
  renderState();
  renderTime();
}
