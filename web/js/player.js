// The player: queue state, two <audio> elements (the current one is #audio, the other preloads
// the next track and is swapped in), Media Session, play history, and the server-side queue.

import { api, coverUrl, pickedTracks, qs, streamUrl } from "./api.js";
import { announce } from "./ui.js";

const events = new EventTarget();

/**
 * Events: "queue" (tracks or order changed), "track" (current track changed),
 * "state" (play/pause/shuffle/repeat/volume), "time" (position).
 */
export function on(type, handler, signal) {
  events.addEventListener(type, handler, { signal });
}

function emit(type) {
  events.dispatchEvent(new Event(type));
}

const state = {
  queue: [], // TrackItem[]
  index: null, // index of the current track in queue, or null
  shuffle: false,
  repeat: "off", // "off" | "all" | "one"
  restored: false, // the server queue has been read: saving is allowed from now on
};

let audio = document.getElementById("audio");
let spare = document.getElementById("audio-next");
let spareTrackId = null; // the track the spare element is preloading
let pendingSeek = null; // seconds (in the track) to seek to once metadata is known
let offset = 0; // where in the track the current src starts (a transcode started with ?offset=)
let wantPlay = false; // the user asked to play (for error recovery and the play button)
let errorStreak = 0;

// History accounting for the current track.
let listened = 0;
let lastTime = 0;
let reported = false;
/** Whether the current play was announced as now playing (scrobblers show it). */
let announced = false;

// Shuffle: indices already played in this cycle, the path back for "previous", the chosen next.
let shufflePlayed = new Set();
let shuffleBack = [];
let shuffleNext = null;

// MARK: - Reading state

export const tracks = () => state.queue;
export const currentIndex = () => state.index;
export const current = () => (state.index == null ? null : state.queue[state.index] ?? null);
export const isPlaying = () => !audio.paused && !audio.ended;
export const shuffleOn = () => state.shuffle;
export const repeatMode = () => state.repeat;
export const element = () => audio;

/** Position in the track, in seconds (a transcode started at an offset counts from there). */
export function position() {
  return pendingSeek ?? offset + (audio.currentTime || 0);
}

/** Duration in seconds: the tag's (a transcode's own duration is unknown or an estimate), else the element's. */
export function duration() {
  const fromTag = (current()?.durationMs ?? 0) / 1000;
  if (fromTag > 0) return fromTag;
  const fromElement = audio.duration;
  return Number.isFinite(fromElement) && fromElement > 0 ? offset + fromElement : 0;
}

// MARK: - Preferences kept in this browser

function loadLocal() {
  try {
    state.shuffle = localStorage.getItem("canto.shuffle") === "1";
    state.repeat = ["off", "all", "one"].includes(localStorage.getItem("canto.repeat")) ? localStorage.getItem("canto.repeat") : "off";
    const volume = parseFloat(localStorage.getItem("canto.volume") ?? "1");
    setVolume(Number.isFinite(volume) ? volume : 1, false);
    setMuted(localStorage.getItem("canto.muted") === "1", false);
  } catch {
    // no storage: defaults
  }
}

function saveLocal(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // ignore
  }
}

// MARK: - Queue editing

// MARK: - Radio

/** The radio playing, or null: { seedType, seed, label }. It refills the queue as it runs low. */
let radio = null;
let refilling = false;
export const radioOn = () => radio;

/** Tracks from the server's recommenders for a station, each carrying why it was picked (track.reason). */
async function radioPage({ seedType, seed }, exclude, limit = 10) {
  return pickedTracks(await api(`/radio${qs({ seedType, seed, limit, exclude: exclude.slice(-500).join(",") })}`));
}

/**
 * Starts a radio from a track, album, artist or genre: `first` (the seed track, say) then what
 * sounds like it; more is fetched whenever two or fewer tracks are left after the current one.
 */
export async function startRadio(seedType, seed, label, first = []) {
  radio = { seedType, seed, label };
  const picks = await radioPage(radio, first.map((t) => t.id));
  const list = [...first, ...picks];
  if (!list.length) {
    radio = null;
    announce("Nothing to play on this radio yet.");
    return;
  }
  playTracks(list, 0, { keepRadio: true });
  announce(`Radio: ${label}.`);
  emit("state");
}

/**
 * An instant mix: the track, then up to 50 that go with it, as a queue of its own (unlike a
 * radio, nothing is added when it runs out).
 */
export async function instantMix(track) {
  const picks = await radioPage({ seedType: "track", seed: track.id }, [track.id], 50);
  playTracks([track, ...picks], 0);
  announce(picks.length ? `Instant mix: “${track.title}” and ${picks.length} more.` : `Nothing goes with “${track.title}” yet.`);
}

export function stopRadio() {
  if (!radio) return;
  radio = null;
  emit("state");
}

async function refillRadio() {
  if (!radio || refilling || state.index == null) return;
  if (state.queue.length - state.index - 1 > 2) return;
  refilling = true;
  const station = radio;
  try {
    const picks = await radioPage(station, state.queue.map((t) => t.id));
    if (radio !== station || !picks.length) return;
    state.queue.push(...picks);
    queueChanged();
  } catch {
    // The next track change tries again.
  } finally {
    refilling = false;
  }
}

/** Replaces the queue with tracks and plays tracks[start]. */
export function playTracks(list, start = 0, { shuffle = false, keepRadio = false } = {}) {
  if (!list.length) return;
  if (!keepRadio) stopRadio();
  state.queue = [...list];
  resetShuffle();
  if (shuffle) {
    setShuffle(true);
    start = Math.floor(Math.random() * list.length);
  }
  emit("queue");
  load(start, { autoplay: true });
}

/** Inserts tracks right after the current one. */
export function playNext(list) {
  if (!list.length) return;
  const at = state.index == null ? state.queue.length : state.index + 1;
  state.queue.splice(at, 0, ...list);
  queueChanged();
  if (state.index == null) load(at, { autoplay: false });
  announce(list.length === 1 ? `“${list[0].title}” plays next.` : `${list.length} tracks play next.`);
}

/** Appends tracks to the queue. */
export function addToQueue(list) {
  if (!list.length) return;
  const wasEmpty = state.index == null;
  state.queue.push(...list);
  queueChanged();
  if (wasEmpty) load(state.queue.length - list.length, { autoplay: false });
  announce(list.length === 1 ? `Added “${list[0].title}” to the queue.` : `Added ${list.length} tracks to the queue.`);
}

/** Moves the entry at from to index to (both in the current order). */
export function move(from, to) {
  const n = state.queue.length;
  if (from === to || from < 0 || to < 0 || from >= n || to >= n) return;
  const [item] = state.queue.splice(from, 1);
  state.queue.splice(to, 0, item);
  if (state.index === from) state.index = to;
  else if (state.index != null && from < state.index && to >= state.index) state.index -= 1;
  else if (state.index != null && from > state.index && to <= state.index) state.index += 1;
  queueChanged();
}

export function remove(i) {
  if (i < 0 || i >= state.queue.length) return;
  const removingCurrent = i === state.index;
  state.queue.splice(i, 1);
  if (removingCurrent) {
    const wasPlaying = isPlaying();
    state.index = state.queue.length ? Math.min(i, state.queue.length - 1) : null;
    queueChanged();
    load(state.index, { autoplay: wasPlaying });
    return;
  }
  if (state.index != null && i < state.index) state.index -= 1;
  queueChanged();
}

export function clearQueue() {
  stopRadio();
  state.queue = [];
  queueChanged();
  load(null);
}

/** Plays the entry at i of the queue. */
export function playIndex(i) {
  if (i < 0 || i >= state.queue.length) return;
  if (state.shuffle && state.index != null) shuffleBack.push(state.index);
  load(i, { autoplay: true });
}

function queueChanged() {
  resetShuffle();
  emit("queue");
  saveSoon();
  preloadNext(true);
}

// MARK: - Transport

export function play() {
  if (state.index == null) {
    if (!state.queue.length) return;
    load(0, { autoplay: true });
    return;
  }
  wantPlay = true;
  if (audio.ended) {
    if (offset > 0) {
      load(state.index, { autoplay: true });
      return;
    }
    audio.currentTime = 0;
  }
  if (!audio.getAttribute("src")) {
    load(state.index, { autoplay: true, position: position() });
    return;
  }
  startAudio();
}

export function pause() {
  wantPlay = false;
  audio.pause();
}

export function toggle() {
  if (isPlaying()) pause();
  else play();
}

export function next() {
  const i = nextIndex();
  if (i == null) return;
  if (state.shuffle && state.index != null) shuffleBack.push(state.index);
  load(i, { autoplay: true });
}

export function previous() {
  if (position() > 3 || state.index == null) {
    seek(0);
    return;
  }
  let i = null;
  if (state.shuffle && shuffleBack.length) i = shuffleBack.pop();
  else if (state.index > 0) i = state.index - 1;
  else if (state.repeat === "all") i = state.queue.length - 1;
  if (i == null || i >= state.queue.length) seek(0);
  else load(i, { autoplay: isPlaying() || wantPlay });
}

export function seek(seconds) {
  const target = Math.max(0, Math.min(seconds, duration() || seconds));
  if (audio.readyState >= 1) applySeek(target);
  else pendingSeek = target;
  emit("time");
  updatePositionState();
}

/**
 * Seeks the loaded element to target (seconds in the track). A raw file (HTTP ranges) seeks in
 * place; a transcode cannot, so it restarts from the server at ?offset=target.
 */
function applySeek(target) {
  pendingSeek = null;
  const local = target - offset;
  if (local >= 0 && seekable(local)) {
    audio.currentTime = local;
    lastTime = local;
    return;
  }
  const track = current();
  if (!track) return;
  offset = target;
  lastTime = 0;
  const resume = wantPlay || isPlaying();
  audio.src = streamUrl(track.id, { offset: target.toFixed(2) });
  if (resume) startAudio();
}

function seekable(seconds) {
  // A transcode has no length (duration Infinity) even though Chrome calls it all seekable.
  if (!Number.isFinite(audio.duration)) return false;
  const ranges = audio.seekable;
  for (let i = 0; i < ranges.length; i++) {
    if (seconds >= ranges.start(i) && seconds <= ranges.end(i) + 0.01) return true;
  }
  return false;
}

export function setVolume(volume, persist = true) {
  const value = Math.max(0, Math.min(1, volume));
  audio.volume = spare.volume = value;
  if (persist) saveLocal("canto.volume", String(value));
  emit("state");
}

export function setMuted(muted, persist = true) {
  audio.muted = spare.muted = muted;
  if (persist) saveLocal("canto.muted", muted ? "1" : "0");
  emit("state");
}

export const volume = () => audio.volume;
export const muted = () => audio.muted;

export function setShuffle(on) {
  state.shuffle = on;
  resetShuffle();
  saveLocal("canto.shuffle", on ? "1" : "0");
  emit("state");
  preloadNext(true);
}

export function cycleRepeat() {
  state.repeat = { off: "all", all: "one", one: "off" }[state.repeat];
  saveLocal("canto.repeat", state.repeat);
  emit("state");
  preloadNext(true);
}

function resetShuffle() {
  shufflePlayed = new Set();
  shuffleBack = [];
  shuffleNext = null;
}

/** The index that follows the current one, honouring shuffle and repeat-all; null at the end. */
function nextIndex() {
  const n = state.queue.length;
  if (!n) return null;
  if (state.index == null) return 0;
  if (state.shuffle) {
    if (shuffleNext == null || shuffleNext >= n || shuffleNext === state.index) shuffleNext = pickShuffled();
    return shuffleNext;
  }
  if (state.index + 1 < n) return state.index + 1;
  return state.repeat === "all" ? 0 : null;
}

function pickShuffled() {
  const n = state.queue.length;
  if (state.index != null) shufflePlayed.add(state.index);
  let candidates = [];
  for (let i = 0; i < n; i++) if (!shufflePlayed.has(i)) candidates.push(i);
  if (!candidates.length) {
    if (state.repeat !== "all" || n < 1) return null;
    shufflePlayed = new Set();
    candidates = [...Array(n).keys()].filter((i) => i !== state.index || n === 1);
  }
  return candidates[Math.floor(Math.random() * candidates.length)];
}

// MARK: - Loading tracks into the element

function load(index, { autoplay = false, position = 0 } = {}) {
  reportIfDue(true);
  state.index = index;
  shuffleNext = null;
  listened = 0;
  lastTime = 0;
  offset = 0;
  reported = false;
  announced = false;
  const track = current();
  if (!track) {
    state.index = null;
    wantPlay = false;
    audio.pause();
    audio.removeAttribute("src");
    audio.load();
    pendingSeek = null;
    emit("track");
    emit("state");
    updateMediaSession();
    saveSoon();
    return;
  }
  const url = streamUrl(track.id);
  if (spareTrackId === track.id && position === 0 && !spare.error) {
    swapElements();
  } else {
    audio.pause();
    audio.src = url;
  }
  spareTrackId = null;
  pendingSeek = position > 0 ? position : null;
  if (pendingSeek != null && audio.readyState >= 1) applySeek(pendingSeek);
  wantPlay = autoplay;
  if (autoplay) startAudio();
  emit("track");
  emit("time");
  emit("state");
  updateMediaSession();
  saveSoon();
  refillRadio();
}

function swapElements() {
  const old = audio;
  audio = spare;
  spare = old;
  old.pause();
  old.id = "audio-next";
  audio.id = "audio";
  old.removeAttribute("src");
  old.load(); // stop its download
}

function startAudio() {
  const attempt = audio.play();
  attempt?.catch((error) => {
    if (error.name === "NotAllowedError") {
      wantPlay = false;
      announce("Press play to start playback.");
    } else if (error.name !== "AbortError") {
      console.warn("play()", error);
    }
    emit("state");
  });
}

/** Starts loading the next track into the spare element (near the end of the current one). */
function preloadNext(force = false) {
  const i = nextIndex();
  const nextTrack = i == null ? null : state.queue[i];
  if (!nextTrack || nextTrack.id === current()?.id) {
    if (spareTrackId && force) {
      spare.removeAttribute("src");
      spare.load();
      spareTrackId = null;
    }
    return;
  }
  if (spareTrackId === nextTrack.id) return;
  if (force && !spareTrackId) return; // queue edits only fix a preload already started
  spare.preload = "auto";
  spare.src = streamUrl(nextTrack.id);
  spare.load();
  spareTrackId = nextTrack.id;
}

// MARK: - Element events (bound to both elements; only the current one counts)

function bind(el) {
  const mine = (handler) => (event) => {
    if (event.target === audio) handler(event);
  };
  el.addEventListener("play", mine(() => { errorStreak = 0; emit("state"); updatePlaybackState(); }));
  el.addEventListener("playing", mine(() => { errorStreak = 0; emit("state"); announceNowPlaying(); }));
  el.addEventListener("pause", mine(() => { emit("state"); updatePlaybackState(); saveSoon(); }));
  el.addEventListener("loadedmetadata", mine(() => {
    if (pendingSeek != null) applySeek(Math.min(pendingSeek, duration() || pendingSeek));
    emit("time");
    updatePositionState();
  }));
  el.addEventListener("durationchange", mine(() => { emit("time"); updatePositionState(); }));
  el.addEventListener("seeked", mine(() => { lastTime = audio.currentTime; updatePositionState(); saveSoon(1500); }));
  el.addEventListener("emptied", mine(() => emit("time")));
  el.addEventListener("timeupdate", mine(onTimeUpdate));
  el.addEventListener("ended", mine(onEnded));
  el.addEventListener("error", mine(onError));
}

function onTimeUpdate() {
  const now = audio.currentTime;
  const delta = now - lastTime;
  if (!audio.paused && delta > 0 && delta < 3) listened += delta;
  lastTime = now;
  reportIfDue(false);
  const left = duration() - position();
  if (!audio.paused && left > 0 && left < 45) preloadNext();
  emit("time");
}

function onEnded() {
  reportIfDue(true);
  if (!wantPlay) {
    // Reached the end without playing (a restored position at the very end): stay put.
    emit("state");
    return;
  }
  if (state.repeat === "one") {
    if (offset > 0) {
      load(state.index, { autoplay: true });
      return;
    }
    audio.currentTime = 0;
    listened = 0;
    lastTime = 0;
    reported = false;
    announced = false;
    startAudio();
    return;
  }
  const i = nextIndex();
  if (i == null) {
    wantPlay = false;
    emit("state");
    saveSoon();
    return;
  }
  if (state.shuffle && state.index != null) shuffleBack.push(state.index);
  load(i, { autoplay: true });
}

/** Why the server refused a stream: its message for a 402 "plan_required" (which names the plan
 * that allows it), else null. The audio element does not say; the same URL is asked again for one byte. */
async function planRefusal(src) {
  const controller = new AbortController();
  try {
    const response = await fetch(src, { credentials: "same-origin", headers: { Range: "bytes=0-0" }, signal: controller.signal });
    if (response.status !== 402) return null;
    const payload = await response.json().catch(() => null);
    const error = payload?.error;
    return error?.code === "plan_required" && error.message ? error.message : null;
  } catch {
    return null;
  } finally {
    controller.abort(); // a playable answer's body is not wanted
  }
}

async function onError() {
  const track = current();
  const src = audio.getAttribute("src");
  const failed = Boolean(src);
  const element = audio;
  emit("state");
  if (!track || !failed) return;
  const refusal = await planRefusal(src);
  if (element !== audio || current() !== track) return; // moved on meanwhile
  if (refusal) {
    // Every track would be refused the same way: say why and stop, rather than skip through the queue.
    wantPlay = false;
    announce(refusal, { plan: true });
    emit("state");
    return;
  }
  announce(`Cannot play “${track.title}”.`, { error: true });
  errorStreak += 1;
  if (wantPlay && errorStreak < state.queue.length) {
    const i = nextIndex();
    if (i != null) setTimeout(() => load(i, { autoplay: true }), 800);
  }
}

// MARK: - Listening history

/** Tells the server a play started, once per play (now playing, for the scrobblers). */
function announceNowPlaying() {
  const track = current();
  if (!track || announced) return;
  announced = true;
  api("/me/now-playing", { method: "POST", body: { trackId: track.id, client: "web" } })
    .catch((error) => console.warn("now playing", error));
}

/** Reports the current play once: after half the track or 4 minutes, or when it ends/changes. */
function reportIfDue(finishing) {
  const track = current();
  if (!track || reported) return;
  const threshold = Math.min(duration() / 2 || 240, 240);
  const due = listened >= threshold || (finishing && audio.ended && listened > 0);
  if (!due) return;
  reported = true;
  api("/me/history", { method: "POST", body: { trackId: track.id, secondsPlayed: Math.round(listened), client: "web" } })
    .catch((error) => console.warn("history", error));
}

// MARK: - Server queue

let saveTimer = null;

function queueBody() {
  return {
    trackIds: state.queue.map((track) => track.id),
    currentIndex: state.index,
    positionMs: Math.round(position() * 1000),
  };
}

function saveSoon(delay = 300) {
  if (!state.restored) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, delay);
}

export async function saveNow({ keepalive = false } = {}) {
  if (!state.restored) return;
  clearTimeout(saveTimer);
  try {
    await api("/me/queue", { method: "PUT", body: queueBody(), keepalive, quiet401: true });
  } catch (error) {
    console.warn("saving the queue", error);
  }
}

/** Reads the saved queue: tracks, current track, position; never starts playing. */
export async function restore() {
  try {
    const saved = await api("/me/queue");
    state.queue = saved?.tracks ?? [];
    let index = saved?.currentIndex;
    if (index == null || index < 0 || index >= state.queue.length) index = state.queue.length ? 0 : null;
    emit("queue");
    // A track saved at its very end starts over.
    let position = (saved?.positionMs ?? 0) / 1000;
    const length = (state.queue[index]?.durationMs ?? 0) / 1000;
    if (length > 0 && position > length - 1) position = 0;
    load(index, { autoplay: false, position });
  } catch (error) {
    console.warn("restoring the queue", error);
  }
  state.restored = true;
}

/** Forgets everything (sign-out). */
export function reset() {
  state.restored = false;
  state.queue = [];
  load(null);
  emit("queue");
}

// MARK: - Media Session

function updateMediaSession() {
  if (!("mediaSession" in navigator)) return;
  const track = current();
  try {
    navigator.mediaSession.metadata = track
      ? new MediaMetadata({
          title: track.title,
          artist: track.artist ?? "",
          album: track.album ?? "",
          artwork: [{ src: coverUrl(track.albumId ?? track.id, 512), sizes: "512x512" }],
        })
      : null;
  } catch (error) {
    console.warn("media session", error);
  }
}

function updatePlaybackState() {
  if ("mediaSession" in navigator) navigator.mediaSession.playbackState = audio.paused ? "paused" : "playing";
}

function updatePositionState() {
  if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState) return;
  const total = duration();
  try {
    if (total > 0 && current()) {
      navigator.mediaSession.setPositionState({
        duration: total,
        playbackRate: audio.playbackRate || 1,
        position: Math.min(position(), total),
      });
    } else {
      navigator.mediaSession.setPositionState();
    }
  } catch (error) {
    console.warn("position state", error);
  }
}

function bindMediaSession() {
  if (!("mediaSession" in navigator)) return;
  const handlers = {
    play: () => play(),
    pause: () => pause(),
    stop: () => { pause(); seek(0); },
    previoustrack: () => previous(),
    nexttrack: () => next(),
    seekto: (details) => seek(details.seekTime ?? 0),
    seekbackward: (details) => seek(position() - (details.seekOffset ?? 10)),
    seekforward: (details) => seek(position() + (details.seekOffset ?? 10)),
  };
  for (const [action, handler] of Object.entries(handlers)) {
    try {
      navigator.mediaSession.setActionHandler(action, handler);
    } catch {
      // action not supported by this browser
    }
  }
}

// MARK: - Start-up

bind(audio);
bind(spare);
loadLocal();
bindMediaSession();

// Save the position every ~10 s while playing, and when the page goes away.
setInterval(() => {
  if (isPlaying()) saveNow();
}, 10000);
window.addEventListener("pagehide", () => {
  if (state.restored && state.queue.length) saveNow({ keepalive: true });
});
