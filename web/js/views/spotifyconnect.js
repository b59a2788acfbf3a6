// Spotify Connect (the "spotify" plugin's player routes): the listener's Spotify devices (apps on
// phones and computers, speakers), what plays there, and a small remote: transfer, play and
// pause, previous and next, volume, and playing a playlist on Spotify. Spotify lets apps control
// playback only on Premium accounts; its refusals come back in words and show in the panel.

import { api } from "../api.js";
import { fill, fmtMs, h, icon, setIcon } from "../dom.js";
import { announce } from "../ui.js";

const PLAYER = "/plugins/spotify/player";

/** A playback's device by name: the route names it by ID (or, perhaps, as a device object). */
const deviceName = (device, devices) => {
  if (device && typeof device === "object") return device.name ?? null;
  return devices.find((listed) => listed.id === device)?.name ?? null;
};

/**
 * The Connect panel: { el, refresh, playContext(uri, name) }. The devices load after the page
 * shows (Spotify answers in its own time); refresh() asks again.
 */
export function connectPanel(signal) {
  /** { devices: [{id, name, type, active, volume}], playback: {...} | null }, null until loaded. */
  let state = null;
  let failure = null;
  let loads = null;
  let busy = false;
  let refreshTimer = null;

  const now = h("p", { class: "spotify-now", "data-testid": "spotify-now", "data-state": "loading" }, "Asking Spotify…");
  const prev = h("button", { type: "button", class: "icon-btn", "aria-label": "Previous track on Spotify", title: "Previous",
    "data-testid": "spotify-previous" }, icon("prev"));
  const toggle = h("button", { type: "button", class: "icon-btn play-main", "aria-label": "Play on Spotify", title: "Play",
    "data-testid": "spotify-toggle" }, icon("play"));
  const next = h("button", { type: "button", class: "icon-btn", "aria-label": "Next track on Spotify", title: "Next",
    "data-testid": "spotify-next" }, icon("next"));
  const volume = h("input", { type: "range", id: "spotify-volume", class: "volume", min: 0, max: 100, step: 5, value: 50,
    "data-testid": "spotify-volume" });
  const volumeText = h("output", { for: "spotify-volume", class: "meta", "data-testid": "spotify-volume-text" }, "");
  const refreshButton = h("button", { type: "button", "data-testid": "spotify-connect-refresh" }, "Refresh");
  const devices = h("ul", { class: "spotify-devices", "aria-labelledby": "spotify-devices-head", "data-testid": "spotify-devices" });
  // Polite: what a command did, or Spotify's refusal in its words.
  const status = h("p", { class: "meta spotify-connect-status", role: "status", "data-testid": "spotify-connect-status" });
  const el = h("div", { class: "spotify-part spotify-connect", "data-testid": "spotify-connect" },
    h("div", { class: "section-head" }, h("h3", { id: "spotify-connect-head" }, "Spotify Connect"), refreshButton),
    h("p", { class: "hint" }, "Play on your Spotify apps and speakers from here. Spotify lets apps control playback only on Premium accounts."),
    now,
    h("div", { class: "row spotify-remote", role: "group", "aria-label": "Spotify remote" },
      prev, toggle, next,
      h("span", { class: "row spotify-volume" }, icon("volume"), h("label", { for: "spotify-volume", class: "visually-hidden" }, "Spotify volume"),
        volume, volumeText)),
    status,
    h("h4", { id: "spotify-devices-head" }, "Devices"),
    devices);

  const say = (message, { error = false, toast = false } = {}) => {
    status.textContent = message;
    status.classList.toggle("error-text", error);
    status.dataset.state = error ? "error" : "ok";
    status.dataset.run = String(Number(status.dataset.run ?? 0) + 1);
    // Said where the listener is looking too, when the button pressed was elsewhere on the page.
    if (toast) announce(message, { error });
  };

  const activeDevice = () => (state?.devices ?? []).find((device) => device.active) ?? null;

  const render = () => {
    const list = state?.devices ?? [];
    const playback = state?.playback ?? null;
    const active = activeDevice();
    const where = deviceName(playback?.device, list) ?? active?.name ?? "your device";
    let text;
    if (failure && !state) {
      text = "Spotify Connect cannot be reached just now.";
    } else if (!state) {
      text = "Asking Spotify…";
    } else if (!playback) {
      text = list.length
        ? "Nothing plays on Spotify. Transfer to a device below, or play a playlist on Spotify."
        : "Nothing plays on Spotify.";
    } else {
      const item = playback.item;
      const verb = playback.playing ? "Playing" : "Paused";
      text = item?.name
        ? `${verb}: “${item.name}”${item.artist ? ` by ${item.artist}` : ""} on ${where}`
          + (playback.durationMs ? ` · ${fmtMs(playback.progressMs)} / ${fmtMs(playback.durationMs)}` : "")
        : `${verb} on ${where}.`;
    }
    now.textContent = text;
    now.dataset.state = !state ? (failure ? "failed" : "loading") : !playback ? "idle" : playback.playing ? "playing" : "paused";

    const playing = Boolean(playback?.playing);
    setIcon(toggle, playing ? "pause" : "play");
    toggle.setAttribute("aria-label", playing ? "Pause Spotify" : "Play on Spotify");
    toggle.title = playing ? "Pause" : "Play";
    const level = active?.volume ?? playback?.device?.volume;
    if (Number.isFinite(level) && document.activeElement !== volume) volume.value = String(level);
    volumeText.textContent = `${volume.value} %`;

    if (!state) {
      fill(devices, h("li", { class: "empty" }, failure ? "Your devices could not be listed." : "Listing your devices…"));
      return;
    }
    fill(devices, list.map((device) => h("li", {
      class: "spotify-device" + (device.active ? " active" : ""), "data-testid": "spotify-device",
      "data-id": device.id, "data-active": String(Boolean(device.active)),
    },
      h("span", { class: "col-title" },
        h("span", { class: "title", "data-testid": "spotify-device-name" }, device.name),
        h("span", { class: "sub" }, [device.type, Number.isFinite(device.volume) ? `volume ${device.volume} %` : null].filter(Boolean).join(" · "))),
      device.active
        ? h("span", { class: "tag", "data-testid": "spotify-device-active" }, "Active")
        : h("button", { type: "button", "data-testid": "spotify-transfer", "aria-label": `Transfer playback to ${device.name}`,
          onclick: (event) => transfer(device, event.currentTarget) }, "Transfer"))));
    if (!list.length) {
      devices.append(h("li", { class: "empty", "data-testid": "spotify-no-devices" },
        "No Spotify app is open. Open Spotify on your phone, computer or speaker, then press Refresh."));
    }
  };

  const refresh = async () => {
    clearTimeout(refreshTimer);
    loads?.abort();
    const mine = (loads = new AbortController());
    const stop = () => mine.abort();
    signal.addEventListener("abort", stop, { once: true });
    el.setAttribute("aria-busy", "true");
    try {
      const answer = await api(PLAYER, { signal: mine.signal });
      state = { devices: Array.isArray(answer?.devices) ? answer.devices : [], playback: answer?.playback ?? null };
      failure = null;
      el.dataset.loaded = String(Number(el.dataset.loaded ?? 0) + 1);
    } catch (error) {
      if (error?.name === "AbortError") return;
      failure = error;
      say(`Could not ask Spotify for your devices: ${error.message}`, { error: true });
    } finally {
      signal.removeEventListener("abort", stop);
      if (loads === mine) el.removeAttribute("aria-busy");
    }
    render();
  };

  /** Spotify applies a command a moment after it answers: ask again now, and once more soon. */
  const settle = async () => {
    await refresh();
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      if (!signal.aborted && el.isConnected) refresh();
    }, 2000);
  };

  /** Runs one command: the button says it is busy, then what happened shows in words. */
  const command = async (button, failed, action, done, { toast = false } = {}) => {
    if (busy) return;
    busy = true;
    button?.setAttribute("aria-disabled", "true");
    el.setAttribute("aria-busy", "true");
    try {
      await action();
      say(typeof done === "function" ? done() : done, { toast });
      await settle();
    } catch (error) {
      if (error?.name === "AbortError") return;
      say(`${failed}: ${error.message}`, { error: true, toast });
      render();
    } finally {
      busy = false;
      button?.removeAttribute("aria-disabled");
      el.removeAttribute("aria-busy");
    }
  };

  const send = (path, method, body) => api(`${PLAYER}${path}`, { method, body });

  const transfer = (device, button) => {
    // Keeps playing (or starts) there; a paused playback stays paused.
    const play = state?.playback ? Boolean(state.playback.playing) : true;
    return command(button, `Could not transfer to ${device.name}`, async () => {
      await send("/transfer", "PUT", { deviceId: device.id, play });
      for (const other of state?.devices ?? []) other.active = other.id === device.id;
    }, play ? `Playing on ${device.name}.` : `Moved to ${device.name}.`);
  };

  toggle.addEventListener("click", () => {
    const playback = state?.playback;
    if (playback?.playing) {
      command(toggle, "Could not pause", async () => {
        await send("/pause", "PUT");
        playback.playing = false;
      }, "Paused.");
    } else if (playback) {
      command(toggle, "Could not resume", async () => {
        await send("/resume", "PUT");
        playback.playing = true;
      }, "Playing.");
    } else {
      // Nothing to resume: play on the active device (Spotify says when there is none).
      command(toggle, "Could not play", () => send("/play", "PUT", {}), "Playing.");
    }
  });
  prev.addEventListener("click", () => command(prev, "Could not go back", () => send("/previous", "POST"), "Previous track."));
  next.addEventListener("click", () => command(next, "Could not skip", () => send("/next", "POST"), "Next track."));
  volume.addEventListener("input", () => {
    volumeText.textContent = `${volume.value} %`;
  });
  volume.addEventListener("change", () => {
    const percent = Number(volume.value);
    command(null, "Could not set the volume", async () => {
      await send("/volume", "PUT", { percent });
      const active = activeDevice();
      if (active) active.volume = percent;
    }, `Volume ${percent} %.`);
  });
  refreshButton.addEventListener("click", () => {
    say("");
    refresh();
  });

  /** Plays a Spotify context (a playlist's URI) on the active device. */
  const playContext = (uri, name, button) => command(button, `Could not play “${name}” on Spotify`,
    () => send("/play", "PUT", { contextUri: uri }), `Playing “${name}” on Spotify.`, { toast: true });

  render();
  return { el, refresh, playContext };
}
