// Devices: the listener's playback sessions, live (this tab, their other browsers, their Subsonic
// apps). This tab can be renamed and made the jukebox; another web player can be driven from here
// (play/pause, previous/next, volume), its playback brought here ("Play here") or this tab's sent
// there ("Send there"). Subsonic apps are only listed: Canto cannot steer them.

import { api, enc, listOf } from "../api.js";
import { fill, fmtMs, h, icon } from "../dom.js";
import * as player from "../player.js";
import * as remote from "../remote.js";
import { session as account } from "../session.js";
import { announceError } from "../ui.js";

/** Track details by ID, read once (a session says only which track plays). */
const trackCache = new Map();

function trackOf(id) {
  if (!id) return Promise.resolve(null);
  if (!trackCache.has(id)) trackCache.set(id, api(`/tracks/${enc(id)}`).catch(() => null));
  return trackCache.get(id);
}

const STATE_WORDS = { playing: "Playing", paused: "Paused", stopped: "Stopped" };

/** Where a session is now: its last report, moved on by the time since when it plays. */
function positionOf(session) {
  let ms = session.positionMs ?? 0;
  if (session.state === "playing" && session.updatedAt) {
    const since = Date.now() - Date.parse(session.updatedAt);
    if (Number.isFinite(since) && since > 0) ms += since;
  }
  return ms;
}

export default async function devicesView(view, { signal }) {
  const list = h("ul", { class: "sessions", "aria-label": "Your devices", "data-testid": "sessions-list" });
  const status = h("p", { class: "meta", role: "status", "data-testid": "sessions-status" });
  const connection = h("p", { class: "hint", "data-testid": "sessions-connection" });

  // This device: its name and whether it is the jukebox.
  const nameInput = h("input", { id: "device-name", maxlength: 60, autocomplete: "off", "data-testid": "session-rename-input" });
  const renameButton = h("button", { type: "submit", "data-testid": "session-rename-save" }, "Rename");
  const renameForm = h("form", { class: "row device-rename", "data-testid": "session-rename" },
    h("label", { for: "device-name" }, "This device’s name"), nameInput, renameButton);
  const jukebox = h("input", { type: "checkbox", id: "device-jukebox", "data-testid": "session-jukebox" });

  view.append(
    h("div", { class: "page-head" }, h("h1", {}, "Devices")),
    h("p", { class: "hint" }, "Your open players: this one, your other browsers and your Subsonic apps. "
      + "Control another browser from here, bring its music here, or send yours there."),
    h("section", { class: "device-this", "aria-label": "This device" },
      renameForm,
      h("p", { class: "row" }, jukebox, h("label", { for: "device-jukebox" }, "Use as my jukebox"),
        h("span", { class: "hint" }, "(Subsonic apps’ jukebox mode plays here)"))),
    connection,
    status,
    list);
  const others = othersSections(signal, (button, action, done, failed) => run(button, action, done, failed));
  view.append(...others.sections);
  view.setAttribute("data-testid", "sessions-view");

  const say = (message, error = false) => {
    status.textContent = message;
    status.classList.toggle("error-text", error);
  };

  const run = async (button, action, done, failed) => {
    button?.setAttribute("aria-disabled", "true");
    try {
      await action();
      if (done) say(done);
    } catch (error) {
      say(`${failed}: ${error.message}`, true);
      announceError(error, failed);
    } finally {
      button?.removeAttribute("aria-disabled");
    }
  };

  renameForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    run(renameButton, () => remote.change({ name }), `This device is now “${name}”.`, "Could not rename");
  });
  jukebox.addEventListener("change", () => {
    const on = jukebox.checked;
    run(null, () => remote.change({ jukebox: on }), on ? "This device is your jukebox." : "This device is no longer your jukebox.",
      "Could not change the jukebox");
  });

  /** One row per session, kept while what it shows is the same (the position aside); {key, el, session, tick}. */
  let rows = new Map();

  const controls = (session) => {
    const name = session.name || "another device";
    const playing = session.state === "playing";
    const toggle = h("button", { type: "button", class: "icon-btn play-main", "data-testid": "session-toggle",
      "aria-label": `${playing ? "Pause" : "Play"} on ${name}`, title: playing ? "Pause" : "Play",
      onclick: (event) => run(event.currentTarget, () => remote.send(session.id, { action: playing ? "pause" : "play" }), null,
        `Could not ${playing ? "pause" : "play"} on ${name}`) }, icon(playing ? "pause" : "play"));
    const prev = h("button", { type: "button", class: "icon-btn", "data-testid": "session-prev", "aria-label": `Previous track on ${name}`,
      title: "Previous", onclick: (event) => run(event.currentTarget, () => remote.send(session.id, { action: "previous" }), null,
        "Could not go back") }, icon("prev"));
    const next = h("button", { type: "button", class: "icon-btn", "data-testid": "session-next", "aria-label": `Next track on ${name}`,
      title: "Next", onclick: (event) => run(event.currentTarget, () => remote.send(session.id, { action: "next" }), null,
        "Could not skip") }, icon("next"));
    const volumeId = `session-volume-${session.id}`;
    const volume = h("input", { type: "range", class: "volume", id: volumeId, min: 0, max: 100, step: 5, value: session.volume ?? 100,
      "data-testid": "session-volume", "aria-label": `Volume on ${name}` });
    volume.addEventListener("change", () => run(null, () => remote.send(session.id, { action: "volume", volume: Number(volume.value) }),
      `Volume ${volume.value} % on ${name}.`, "Could not set the volume"));
    const seek = h("input", { type: "range", class: "seek", min: 0, max: 0, step: 1, value: 0, disabled: !session.trackId,
      "data-testid": "session-seek", "aria-label": `Position on ${name}` });
    seek.addEventListener("change", () => run(null, () => remote.send(session.id, { action: "seek", positionMs: Number(seek.value) * 1000 }),
      `Moved to ${fmtMs(Number(seek.value) * 1000)} on ${name}.`, "Could not move there"));
    const here = h("button", { type: "button", "data-testid": "session-play-here", disabled: !session.trackId,
      onclick: (event) => run(event.currentTarget, () => remote.transfer(session.id, remote.id()), `Playing here what played on ${name}.`,
        "Could not bring it here") }, "Play here");
    const there = h("button", { type: "button", "data-testid": "session-send-there", disabled: !player.current(),
      onclick: (event) => run(event.currentTarget, () => remote.transfer(remote.id(), session.id), `Sent to ${name}.`,
        "Could not send it there") }, "Send there");
    return h("div", { class: "row session-controls", role: "group", "aria-label": `Remote for ${name}` },
      prev, toggle, next, seek, h("span", { class: "row session-volume" }, icon("volume"), volume), here, there);
  };

  const row = (session) => {
    const self = session.id === remote.id();
    const subsonic = session.kind === "subsonic";
    const track = h("span", { class: "sub", "data-testid": "session-track" }, session.trackId ? "…" : "Nothing loaded");
    let details = null;
    let seek = null;
    const tick = (now) => {
      if (!details) return;
      if (seek && details.durationMs && document.activeElement !== seek) {
        seek.max = String(Math.round(details.durationMs / 1000));
        seek.value = String(Math.min(Math.round(positionOf(now) / 1000), Number(seek.max)));
      }
      const at = `${fmtMs(positionOf(now))}${details.durationMs ? ` / ${fmtMs(details.durationMs)}` : ""}`;
      track.textContent = `${details.title}${details.artist ? ` · ${details.artist}` : ""} · ${at}`;
    };
    if (session.trackId) {
      track.dataset.trackId = session.trackId;
      trackOf(session.trackId).then((found) => {
        if (!found) {
          track.textContent = "A track";
          return;
        }
        details = found;
        tick(rows.get(session.id)?.session ?? session);
      });
    }
    const el = h("li", {
      class: "session" + (self ? " this" : ""), "data-testid": "session-row", "data-session-id": session.id,
      "data-kind": session.kind, "data-state": session.state, "data-this": String(self),
    },
      h("div", { class: "session-head" },
        h("span", { class: "title", "data-testid": "session-name" }, session.name || "Unnamed"),
        self ? h("span", { class: "tag", "data-testid": "session-this" }, "This device") : null,
        session.jukebox ? h("span", { class: "tag", "data-testid": "session-jukebox-tag" }, "Jukebox") : null,
        h("span", { class: "tag", "data-testid": "session-state", "data-state": session.state }, STATE_WORDS[session.state] ?? session.state)),
      h("div", { class: "sub" }, [subsonic ? `Subsonic app · ${session.client}` : session.client, session.device ? deviceLabel(session.device) : null]
        .filter(Boolean).join(" · ")),
      track,
      self || subsonic ? null : controls(session));
    seek = el.querySelector('[data-testid="session-seek"]');
    return { el, tick };
  };

  /** What a row shows, but the position (which only its text follows). */
  const keyOf = (session) => JSON.stringify([session.name, session.state, session.trackId, session.jukebox, session.volume,
    session.kind, session.client, session.device, session.id === remote.id(), Boolean(player.current())]);

  const render = () => {
    const sessions = remote.sessions();
    const me = remote.mine();
    if (me) {
      if (document.activeElement !== nameInput && !nameInput.dataset.edited) nameInput.value = me.name ?? "";
      jukebox.checked = Boolean(me.jukebox);
    }
    jukebox.disabled = !remote.id();
    renameButton.disabled = !remote.id();
    connection.textContent = remote.connected() ? "" : "Connecting to the server…";
    const focusedTestid = list.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    const focusedRow = document.activeElement?.closest?.("[data-session-id]")?.dataset.sessionId;
    // This device first, then the others by name.
    const ordered = [...sessions].sort((a, b) => (b.id === remote.id()) - (a.id === remote.id()) || (a.name ?? "").localeCompare(b.name ?? ""));
    const next = new Map();
    for (const session of ordered) {
      const key = keyOf(session);
      const old = rows.get(session.id);
      // A row whose volume slider is being dragged stays as it is.
      const dragging = old && old.el.contains(document.activeElement) && document.activeElement.matches("input[type=range]");
      const made = old && (old.key === key || dragging) ? old : { key, ...row(session) };
      made.session = session;
      made.tick(session);
      next.set(session.id, made);
    }
    rows = next;
    if (!ordered.length) {
      fill(list, h("li", { class: "empty" }, "No player is connected yet."));
    } else {
      const wanted = ordered.map((session) => next.get(session.id).el);
      if (wanted.length !== list.children.length || wanted.some((el, i) => list.children[i] !== el)) fill(list, wanted);
    }
    if (focusedTestid && focusedRow && !list.contains(document.activeElement)) {
      next.get(focusedRow)?.el.querySelector(`[data-testid="${focusedTestid}"]`)?.focus();
    }
  };

  nameInput.addEventListener("input", () => (nameInput.dataset.edited = "1"));
  renameForm.addEventListener("submit", () => delete nameInput.dataset.edited);

  remote.on("sessions", render, signal);
  remote.on("sessions", others.soon, signal);
  remote.on("connection", render, signal);
  player.on("track", render, signal);
  // Playing sessions' positions move on.
  const ticker = setInterval(() => {
    for (const { session, tick } of rows.values()) if (session.state === "playing") tick(session);
  }, 1000);
  signal.addEventListener("abort", () => clearInterval(ticker), { once: true });
  render();
}

/**
 * "Playing in the household": what the other listeners play, where they let it be seen (read-only);
 * for an admin also "Every player", everyone's, with a Stop for other listeners' players.
 * Both are read when the view opens, every 5 s while it is open and soon after the list changes.
 */
function othersSections(signal, run) {
  const admin = account.isAdmin;
  const householdList = h("ul", { class: "sessions", "aria-label": "Playing in the household" });
  const household = h("section", { class: "device-others", "data-testid": "household-sessions" },
    h("h2", {}, "Playing in the household"), householdList);
  const allList = h("ul", { class: "sessions", "aria-label": "Every player" });
  const all = admin ? h("section", { class: "device-others", "data-testid": "all-sessions" },
    h("h2", {}, "Every player"), h("p", { class: "hint" }, "Every listener’s open players (you see them as an admin)."), allList) : null;
  let names = new Map(); // user ID → username (admins can read them)
  let shown = { household: "", all: "" };

  const owner = (session) => names.get(session.userId) ?? "Another listener";
  const trackLine = (session) => {
    const line = h("span", { class: "sub", "data-testid": "session-track" }, session.trackId ? "…" : "Nothing loaded");
    if (session.trackId) {
      trackOf(session.trackId).then((found) => {
        line.textContent = found ? `${found.title}${found.artist ? ` · ${found.artist}` : ""}` : "A track";
      });
    }
    return line;
  };
  const othersRow = (session, testid, extra = null) => h("li", {
    class: "session", "data-testid": testid, "data-session-id": session.id, "data-kind": session.kind, "data-state": session.state,
  },
    h("div", { class: "session-head" },
      h("span", { class: "title", "data-testid": "session-name" }, session.name || "Unnamed"),
      h("span", { class: "tag", "data-testid": "session-state", "data-state": session.state }, STATE_WORDS[session.state] ?? session.state)),
    h("div", { class: "sub", "data-testid": "session-owner" }, [owner(session), session.client].filter(Boolean).join(" · ")),
    trackLine(session),
    extra);

  const show = (target, key, items, make, empty) => {
    const wanted = JSON.stringify(items.map((s) => [s.id, s.name, s.state, s.trackId, s.client, owner(s)]));
    if (shown[key] === wanted) return;
    shown[key] = wanted;
    fill(target, items.length ? items.map(make) : h("li", { class: "empty" }, empty));
  };

  const stopButton = (session) => h("button", { type: "button", "data-testid": "session-admin-stop",
    "aria-label": `Stop ${session.name || "this player"} of ${owner(session)}`,
    onclick: (event) => run(event.currentTarget, async () => {
      await remote.send(session.id, { action: "stop" });
      refresh();
    }, `Stopped ${session.name || "the player"}.`, "Could not stop it") }, "Stop");

  let busy = false;
  const refresh = async () => {
    if (busy || signal.aborted) return;
    busy = true;
    try {
      const me = account.me?.id;
      if (admin && !names.size) {
        try {
          names = new Map(listOf(await api("/admin/users", { signal })).map((user) => [user.id, user.username]));
        } catch (error) {
          if (error?.name === "AbortError") return;
        }
      }
      const theirs = listOf(await api("/sessions?household=true", { signal })).filter((s) => s.userId !== me);
      show(householdList, "household", theirs, (s) => othersRow(s, "household-session"), "Nobody else is playing where you can see it.");
      if (admin) {
        const everyone = listOf(await api("/sessions?all=true", { signal }))
          .sort((a, b) => owner(a).localeCompare(owner(b)) || (a.name ?? "").localeCompare(b.name ?? ""));
        show(allList, "all", everyone, (s) => othersRow(s, "all-session", s.userId !== me ? stopButton(s) : null), "No player is open.");
      }
    } catch (error) {
      if (error?.name !== "AbortError") console.warn("sessions", error);
    } finally {
      busy = false;
    }
  };
  let soonTimer = null;
  const soon = () => {
    clearTimeout(soonTimer);
    soonTimer = setTimeout(refresh, 300);
  };
  const poll = setInterval(refresh, 5000);
  signal.addEventListener("abort", () => {
    clearInterval(poll);
    clearTimeout(soonTimer);
  }, { once: true });
  refresh();
  return { sections: [household, all].filter(Boolean), soon };
}

/** A short label from a user agent ("Chrome on Linux"), else the text as it is. */
function deviceLabel(device) {
  if (!/Mozilla\//.test(device)) return device;
  const browser = /Edg\//.test(device) ? "Edge" : /Firefox\//.test(device) ? "Firefox" : /Chrom(e|ium)\//.test(device) ? "Chrome"
    : /Safari\//.test(device) ? "Safari" : null;
  const system = /Android/.test(device) ? "Android" : /iPhone|iPad/.test(device) ? "iOS" : /Windows/.test(device) ? "Windows"
    : /Mac OS X/.test(device) ? "macOS" : /Linux/.test(device) ? "Linux" : null;
  return [browser, system].filter(Boolean).join(" on ") || device.slice(0, 40);
}
