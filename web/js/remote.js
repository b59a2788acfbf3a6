// Playback sessions: this tab is one of the listener's players. It holds the server's event
// stream (GET /api/v1/sessions/events: its own session, the listener's sessions on every change,
// and commands other devices send it), reports what it plays (POST …/{id}/state) and obeys the
// commands. The session ID is kept per tab (sessionStorage), so a reload comes back as the same
// session; the device's name is kept per browser (localStorage) once renamed.

import { api, enc, qs } from "./api.js";
import * as player from "./player.js";

const ID_KEY = "canto.sessionId";
const NAME_KEY = "canto.deviceName";
const events = new EventTarget();

let source = null;
let sessionId = readStored(sessionStorage, ID_KEY);
let list = []; // the listener's sessions, as the server last said
let retryTimer = null;
let retryDelay = 1000;
let running = false;
let stopped = false; // a "stop" command left this player stopped (until it plays again)
let reportTimer = null;
let lastReport = "";

function readStored(storage, key) {
  try {
    return storage.getItem(key) || null;
  } catch {
    return null;
  }
}

function writeStored(storage, key, value) {
  try {
    if (value) storage.setItem(key, value);
    else storage.removeItem(key);
  } catch {
    // storage disabled: it lasts as long as the page
  }
}

/** Events: "sessions" (the list changed), "session" (this tab's session, on connecting), "connection". */
export function on(type, handler, signal) {
  events.addEventListener(type, handler, { signal });
}

const emit = (type) => events.dispatchEvent(new Event(type));

export const id = () => sessionId;
export const sessions = () => list;
export const connected = () => source?.readyState === EventSource.OPEN;
export const mine = () => list.find((session) => session.id === sessionId) ?? null;

/** "Chrome on Linux", from the browser's user agent. */
export function defaultName() {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent) ? "Edge"
    : /OPR\//.test(agent) ? "Opera"
    : /Firefox\//.test(agent) ? "Firefox"
    : /Chrom(e|ium)\//.test(agent) ? "Chrome"
    : /Safari\//.test(agent) ? "Safari" : "Browser";
  const system = /Android/.test(agent) ? "Android"
    : /iPhone|iPad|iPod/.test(agent) ? "iOS"
    : /Windows/.test(agent) ? "Windows"
    : /Mac OS X|Macintosh/.test(agent) ? "macOS"
    : /CrOS/.test(agent) ? "ChromeOS"
    : /Linux/.test(agent) ? "Linux" : "";
  return system ? `${browser} on ${system}` : browser;
}

export const deviceName = () => readStored(localStorage, NAME_KEY) || defaultName();

// MARK: - The stream

/** Opens the event stream (when signed in); it reopens by itself as the same session. */
export function start() {
  if (running) return;
  running = true;
  connect();
}

/** Closes the stream (signing out): the next listener in this tab starts a session of their own. */
export function stop() {
  running = false;
  sessionId = null;
  writeStored(sessionStorage, ID_KEY, null);
  clearTimeout(retryTimer);
  source?.close();
  source = null;
}

function connect() {
  clearTimeout(retryTimer);
  source?.close();
  const url = `/api/v1/sessions/events${qs({
    id: sessionId, name: deviceName(), device: navigator.userAgent.slice(0, 100), client: "Canto web",
  })}`;
  const stream = new EventSource(url);
  source = stream;
  stream.addEventListener("open", () => {
    retryDelay = 1000;
    emit("connection");
  });
  stream.addEventListener("session", (event) => {
    const session = parse(event);
    if (!session?.id) return;
    sessionId = session.id;
    writeStored(sessionStorage, ID_KEY, sessionId);
    if (!list.some((s) => s.id === session.id)) list = [...list, session];
    emit("session");
    emit("sessions");
    lastReport = "";
    reportSoon(0);
  });
  stream.addEventListener("sessions", (event) => {
    const sessionsNow = parse(event);
    if (!Array.isArray(sessionsNow)) return;
    list = sessionsNow;
    emit("sessions");
  });
  stream.addEventListener("command", (event) => {
    const message = parse(event);
    if (message?.command) obey(message.command, message.from ?? null);
  });
  stream.addEventListener("error", () => {
    if (source !== stream) return;
    // EventSource would reconnect with the first URL (perhaps without the ID): reopen with the ID.
    stream.close();
    source = null;
    emit("connection");
    if (!running) return;
    retryTimer = setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  });
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

// MARK: - Sending

/** Sends a command to one of the listener's sessions ({action, …}); 202, or an ApiError. */
export function send(target, command) {
  return api(`/sessions/${enc(target)}/commands`, { method: "POST", body: command });
}

/** Moves the playback of session `from` to session `to` (it plays there; `from` stops). */
export const transfer = (from, to) => send(to, { action: "transfer", from });

/** Renames this device (kept in this browser) or sets it as the listener's jukebox. */
export async function change(changes) {
  if (!sessionId) throw new Error("Not connected yet.");
  const session = await api(`/sessions/${enc(sessionId)}`, { method: "PATCH", body: changes });
  if (changes.name !== undefined) writeStored(localStorage, NAME_KEY, changes.name.trim());
  if (session?.id) {
    list = list.map((s) => (s.id === session.id ? session : s));
    emit("sessions");
  }
  return session;
}

// MARK: - Reporting what plays here

function currentState() {
  const track = player.current();
  const playing = player.isPlaying();
  if (playing) stopped = false;
  return {
    trackId: track?.id ?? null,
    positionMs: Math.round(player.position() * 1000),
    state: playing ? "playing" : !track || stopped ? "stopped" : "paused",
    volume: Math.round((player.muted() ? 0 : player.volume()) * 100),
    queue: player.tracks().map((t) => t.id),
    queueIndex: player.currentIndex(),
  };
}

function reportSoon(delay = 150) {
  if (!sessionId) return;
  clearTimeout(reportTimer);
  reportTimer = setTimeout(report, delay);
}

async function report(force = false) {
  if (!sessionId) return;
  const body = currentState();
  // Unchanged but the clock: not worth a request (the position is sent every 5 s while playing).
  const key = JSON.stringify({ ...body, positionMs: body.state === "playing" ? 0 : body.positionMs });
  if (!force && key === lastReport) return;
  lastReport = key;
  const sent = { ...body };
  if (sent.trackId == null) delete sent.trackId;
  if (sent.queueIndex == null) delete sent.queueIndex;
  try {
    await api(`/sessions/${enc(sessionId)}/state`, { method: "POST", body: sent, quiet401: true });
  } catch (error) {
    lastReport = "";
    if (error?.status === 404 && source) connect(); // the server forgot this session: join again
    else console.warn("session state", error);
  }
}

player.on("track", () => reportSoon());
player.on("state", () => reportSoon());
player.on("queue", () => reportSoon());
player.on("seek", () => {
  lastReport = "";
  reportSoon();
});
setInterval(() => {
  if (player.isPlaying()) report(true);
}, 5000);

// MARK: - Obeying commands

/** The details of tracks by ID, in order (the queue needs titles, lengths, albums). */
async function tracksOf(ids) {
  const found = new Array(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      try {
        found[i] = await api(`/tracks/${enc(ids[i])}`);
      } catch (error) {
        console.warn("track", ids[i], error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, ids.length) }, worker));
  return found;
}

let loading = 0;

async function obey(command, from) {
  const action = command.action;
  if (action !== "stop") stopped = false;
  switch (action) {
    case "play": player.play(); break;
    case "pause": player.pause(); break;
    case "next": player.next(); break;
    case "previous": player.previous(); break;
    case "seek": if (Number.isFinite(command.positionMs)) player.seek(command.positionMs / 1000); break;
    case "volume":
      if (Number.isFinite(command.volume)) {
        player.setVolume(command.volume / 100);
        if (player.muted() && command.volume > 0) player.setMuted(false);
      }
      break;
    case "clear": player.clearQueue(); break;
    case "remove": if (Number.isInteger(command.index)) player.remove(command.index); break;
    case "shuffle": player.setShuffle(!player.shuffleOn()); break;
    case "stop":
      stopped = true;
      player.stop();
      break;
    case "load": {
      const ids = Array.isArray(command.trackIds) ? command.trackIds : [];
      const mineNow = ++loading;
      const found = await tracksOf(ids);
      if (mineNow !== loading) return; // a later load won
      const wanted = Number.isInteger(command.index) ? command.index : 0;
      // Tracks that could not be read are left out; the start stays on the chosen one.
      const kept = [];
      let index = 0;
      found.forEach((track, i) => {
        if (!track) return;
        if (i <= wanted) index = kept.length;
        kept.push(track);
      });
      player.replaceQueue(kept, index, (command.positionMs ?? 0) / 1000, command.play !== false);
      break;
    }
    case "enqueue": {
      const ids = Array.isArray(command.trackIds) ? command.trackIds : [];
      const found = (await tracksOf(ids)).filter(Boolean);
      if (found.length) player.addToQueue(found);
      break;
    }
    default:
      console.warn("unknown command", action, from);
      return;
  }
  lastReport = "";
  reportSoon(50);
}

// For tests and the curious: this tab's session.
window.cantoSession = Object.freeze({ id: () => sessionId, sessions: () => list, connected });
