// The player: queue state, two <audio> elements (the current one is #audio, the other preloads
// the next track and is swapped in), Media Session, play history, and the server-side queue.
// Sound: ReplayGain, the volume and crossfades through the Web Audio API (each element feeds a
// ReplayGain node and a fade node, then the volume), gapless changes from one track to the next
// (the preloaded element starts as the current one reaches its end), crossfades between tracks
// that are not neighbours on one album.

import { api, coverUrl, pickedTracks, qs, streamUrl } from "./api.js";
import { REPLAYGAIN_MODES, replayGain } from "./replaygain.js";
import { announce } from "./ui.js";

const events = new EventTarget();

/**
 * Events: "queue" (tracks or order changed), "track" (current track changed),
 * "state" (play/pause/shuffle/repeat/volume), "time" (position), "seek" (the listener or a remote moved the position).
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
  volume: 1,
  muted: false,
};

/** Sound settings kept in this browser (like the volume): ReplayGain and crossfades. */
const sound = {
  mode: "off", // ReplayGain: "off" | "track" | "album"
  preampDb: 0, // added to a tagged track's gain
  preventClipping: true, // the gain never lifts the track's peak above full scale
  crossfade: 0, // seconds of crossfade between tracks that are not album neighbours; 0: none
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
    const mode = localStorage.getItem("canto.replayGain");
    setSoundSettings({
      mode: REPLAYGAIN_MODES.includes(mode) ? mode : "off",
      preampDb: parseFloat(localStorage.getItem("canto.preamp") ?? "0"),
      preventClipping: localStorage.getItem("canto.preventClipping") !== "0",
      crossfade: parseFloat(localStorage.getItem("canto.crossfade") ?? "0"),
    }, false);
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

/**
 * Replaces the queue with tracks and makes tracks[index] current at position (seconds); plays
 * when autoplay (a remote's "load", or a transfer from another device).
 */
export function replaceQueue(list, index = 0, position = 0, autoplay = true) {
  stopRadio();
  state.queue = [...list];
  resetShuffle();
  emit("queue");
  if (!list.length) {
    load(null);
    return;
  }
  const at = Math.max(0, Math.min(list.length - 1, Number.isInteger(index) ? index : 0));
  load(at, { autoplay, position: Math.max(0, position || 0) });
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
  cancelTransition();
  endFade();
  audio.pause();
}

/** Stops: pauses and forgets the position (what another device's transfer leaves here). */
export function stop() {
  pause();
  if (current()) seek(0);
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
  cancelTransition();
  endFade();
  const target = Math.max(0, Math.min(seconds, duration() || seconds));
  if (audio.readyState >= 1) applySeek(target);
  else pendingSeek = target;
  emit("time");
  emit("seek");
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
  const value = Math.max(0, Math.min(1, Number.isFinite(volume) ? volume : 1));
  state.volume = value;
  applyVolume();
  if (persist) saveLocal("canto.volume", String(value));
  emit("state");
}

export function setMuted(muted, persist = true) {
  state.muted = Boolean(muted);
  applyVolume();
  if (persist) saveLocal("canto.muted", muted ? "1" : "0");
  emit("state");
}

export const volume = () => state.volume;
export const muted = () => state.muted;

/** The volume on the elements, or on the graph's last node once they feed the Web Audio graph. */
function applyVolume() {
  if (master) {
    master.gain.value = state.muted ? 0 : state.volume;
    for (const el of [audio, spare]) {
      el.volume = 1;
      el.muted = false;
    }
  } else {
    audio.volume = spare.volume = state.volume;
    audio.muted = spare.muted = state.muted;
  }
}

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

/**
 * Makes the queue's entry at index the current track. transition: {fade} when the track before
 * is playing out its end (a gapless change, or a crossfade of `fade` seconds): its element goes on
 * to its end rather than stopping at once.
 */
function load(index, { autoplay = false, position = 0, transition = null } = {}) {
  cancelTransition();
  if (!transition) endFade();
  reportIfDue(true, Boolean(transition));
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
    swapElements(transition);
  } else {
    audio.pause();
    audio.src = url;
  }
  spareTrackId = null;
  holding.set(audio, track);
  applyGain(audio);
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

function swapElements(transition) {
  const old = audio;
  audio = spare;
  spare = old;
  old.id = "audio-next";
  audio.id = "audio";
  if (transition) {
    startFade(old, transition.fade);
    return;
  }
  old.pause();
  old.removeAttribute("src");
  old.load(); // stop its download
}

function startAudio() {
  ensureGraph();
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
  if (fading) return; // the spare element still plays the previous track's end
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
  holding.set(spare, nextTrack);
  applyGain(spare);
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
  // The previous track's element, playing out its end under the next one.
  el.addEventListener("ended", () => {
    if (fading?.element === el) endFade();
  });
}

function onTimeUpdate() {
  const now = audio.currentTime;
  const delta = now - lastTime;
  if (!audio.paused && delta > 0 && delta < 3) listened += delta;
  lastTime = now;
  reportIfDue(false);
  const left = duration() - position();
  if (!audio.paused && left > 0 && left < 45) preloadNext();
  planTransition();
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

// MARK: - Sound: ReplayGain, volume and crossfades through Web Audio

/** The track each element holds (the current one, or the next one preloading). */
const holding = new WeakMap();
/** The AudioContext, made on the first play that needs it (browsers start it on a user gesture). */
let context = null;
/** The volume: the graph's last node before the speakers. */
let master = null;
/** Per element: {source, level (ReplayGain), fade}. */
const routes = new Map();

export const soundSettings = () => ({ ...sound });

/**
 * Changes the sound settings ({mode, preampDb, preventClipping, crossfade}, any of them); they
 * apply at once (the playing track's gain glides to its new value) and are kept in this browser.
 */
export function setSoundSettings(changes, persist = true) {
  if (changes.mode !== undefined) sound.mode = REPLAYGAIN_MODES.includes(changes.mode) ? changes.mode : "off";
  if (changes.preampDb !== undefined) sound.preampDb = clamp(Number(changes.preampDb), -15, 15, 0);
  if (changes.preventClipping !== undefined) sound.preventClipping = Boolean(changes.preventClipping);
  if (changes.crossfade !== undefined) sound.crossfade = clamp(Number(changes.crossfade), 0, 12, 0);
  if (persist) {
    saveLocal("canto.replayGain", sound.mode);
    saveLocal("canto.preamp", String(sound.preampDb));
    saveLocal("canto.preventClipping", sound.preventClipping ? "1" : "0");
    saveLocal("canto.crossfade", String(sound.crossfade));
    ensureGraph(); // a settings change is a user gesture: the context may start now
  }
  for (const el of [audio, spare]) applyGain(el, true);
  emit("state");
}

function clamp(value, low, high, fallback) {
  return Number.isFinite(value) ? Math.max(low, Math.min(high, value)) : fallback;
}

/** The gain the current track plays at: {linear, db, source, limited, mode, node (the gain node's value, or null)}. */
export function gainInfo() {
  const computed = replayGain(current()?.replayGain, sound);
  return { ...computed, mode: sound.mode, node: routes.get(audio)?.level.gain.value ?? null };
}

/** Whether anything needs the Web Audio graph (otherwise the elements play straight out). */
const effectsWanted = () => sound.mode !== "off" || sound.crossfade > 0;

/**
 * Makes the graph when something needs it: element → ReplayGain → fade → volume → speakers. The
 * elements are connected only once the context runs (a suspended context would silence them).
 */
function ensureGraph() {
  if (routes.size) {
    if (context.state === "suspended") context.resume().catch(() => {});
    return;
  }
  if (!effectsWanted()) return;
  const Context = window.AudioContext ?? window.webkitAudioContext;
  if (!Context) return;
  try {
    context ??= new Context({ latencyHint: "playback" });
  } catch (error) {
    console.warn("Web Audio", error);
    return;
  }
  if (context.state === "running") {
    connectGraph();
    return;
  }
  context.resume().then(() => {
    if (context.state === "running" && !routes.size && effectsWanted()) connectGraph();
  }).catch(() => {});
}

function connectGraph() {
  try {
    master = context.createGain();
    master.connect(context.destination);
    for (const el of [audio, spare]) {
      const source = context.createMediaElementSource(el);
      const level = context.createGain();
      const fade = context.createGain();
      source.connect(level).connect(fade).connect(master);
      routes.set(el, { source, level, fade });
    }
  } catch (error) {
    console.warn("Web Audio", error);
  }
  applyVolume();
  for (const el of [audio, spare]) applyGain(el);
}

/** Sets an element's ReplayGain node for the track it holds (gliding there when it plays). */
function applyGain(el, glide = false) {
  const route = routes.get(el);
  if (!route) return;
  const { linear } = replayGain(holding.get(el)?.replayGain, sound);
  const gain = route.level.gain;
  if (glide && !el.paused) {
    const now = context.currentTime;
    gain.cancelScheduledValues(now);
    gain.setValueAtTime(gain.value, now);
    gain.linearRampToValueAtTime(linear, now + 0.1);
  } else {
    gain.cancelScheduledValues(0);
    gain.value = linear;
  }
}

// MARK: - Gapless changes and crossfades

/**
 * How early (seconds before the end) the next element is started for a gapless change: what
 * play() takes to sound, so the next track's first sample follows the last one of this. (Measured
 * in Chromium: an element playing straight out starts on its ~23 ms output buffers, and 10 ms ahead
 * lands within 5 ms of the end; through the graph (128-frame quanta), at the end itself is within 2 ms.)
 */
const gaplessLead = () => (routes.size ? 0 : 0.01);
/** The change planned for the end of the current track (a timer), and the element playing out the previous one. */
let transitionTimer = null;
let fading = null; // {element, timer}

/** Whether b follows a on the same album (the next track on the disc, or the first of the next disc). */
export function albumNeighbours(a, b) {
  if (!a || !b || !a.albumId || a.albumId !== b.albumId) return false;
  const discA = a.discNumber ?? 1;
  const discB = b.discNumber ?? 1;
  if (a.trackNumber == null || b.trackNumber == null) return discA === discB;
  return (discA === discB && b.trackNumber === a.trackNumber + 1) || (discB === discA + 1 && b.trackNumber === 1);
}

/** Seconds of crossfade from the current track into next (0: a gapless change). */
function crossfadeInto(next, left) {
  if (!sound.crossfade || !routes.size || albumNeighbours(current(), next)) return 0;
  const nextLength = (next.durationMs ?? 0) / 1000;
  let fade = Math.min(sound.crossfade, duration() / 2 || sound.crossfade, nextLength > 0 ? nextLength / 2 : sound.crossfade);
  if (left < fade) fade = Math.max(0, left);
  return fade;
}

function cancelTransition() {
  clearTimeout(transitionTimer);
  transitionTimer = null;
}

/**
 * Near the end of the current track, with the next one loaded in the spare element: starts it
 * exactly as this one ends (or `crossfade` seconds before, fading), on a timer set from the
 * element's clock (timeupdate comes only every quarter second).
 */
function planTransition() {
  if (transitionTimer || fading || !wantPlay || audio.paused || state.repeat === "one") return;
  const i = nextIndex();
  const next = i == null ? null : state.queue[i];
  if (!next || next.id !== spareTrackId || spare.error || next.id === current()?.id) return;
  const total = audio.duration;
  if (!Number.isFinite(total) || total <= 0) return; // a transcode's length is unknown: the "ended" event changes track
  const left = (total - audio.currentTime) / (audio.playbackRate || 1);
  const fade = crossfadeInto(next, left);
  const wait = left - (fade > 0 ? fade : gaplessLead());
  if (wait > 1.2) return; // the next timeupdate plans it
  transitionTimer = setTimeout(() => changeTrack(i, next, fade), Math.max(0, wait * 1000 - 4));
}

function changeTrack(i, next, fade) {
  transitionTimer = null;
  if (!wantPlay || audio.paused || audio.ended || nextIndex() !== i || spareTrackId !== next.id) return;
  const left = (audio.duration - audio.currentTime) / (audio.playbackRate || 1);
  const wait = left - (fade > 0 ? fade : gaplessLead());
  if (wait > 0.004) {
    // The timer fired early (or the clock moved late): wait for the rest.
    transitionTimer = setTimeout(() => changeTrack(i, next, fade), wait * 1000);
    return;
  }
  if (spare.readyState < 3) return; // not loaded enough yet: the "ended" event changes track
  if (state.shuffle && state.index != null) shuffleBack.push(state.index);
  load(i, { autoplay: true, transition: { fade } });
}

/** The previous track's element plays out its end; over `seconds`, it fades out as the new one fades in. */
function startFade(old, seconds) {
  const from = routes.get(old);
  const to = routes.get(audio);
  if (seconds > 0 && from && to) {
    const now = context.currentTime;
    const steps = 64;
    const out = new Float32Array(steps);
    const into = new Float32Array(steps);
    for (let k = 0; k < steps; k++) {
      // Equal power: the loudness holds through the fade.
      const x = k / (steps - 1);
      out[k] = Math.cos((x * Math.PI) / 2);
      into[k] = Math.sin((x * Math.PI) / 2);
    }
    from.fade.gain.cancelScheduledValues(0);
    to.fade.gain.cancelScheduledValues(0);
    from.fade.gain.setValueCurveAtTime(out, now, seconds);
    to.fade.gain.setValueCurveAtTime(into, now, seconds);
  }
  // It stops at its end ("ended"), or soon after in any case.
  fading = { element: old, timer: setTimeout(endFade, (seconds + 1) * 1000) };
}

/** Stops the previous track's element (at its end, or at once when the listener moves on). */
function endFade() {
  if (!fading) return;
  const { element, timer } = fading;
  fading = null;
  clearTimeout(timer);
  element.pause();
  element.removeAttribute("src");
  element.load();
  for (const el of [element, audio]) {
    const route = routes.get(el);
    if (!route) continue;
    route.fade.gain.cancelScheduledValues(0);
    route.fade.gain.value = 1;
  }
}

// For tests and the curious: what the player does to the sound.
window.cantoPlayer = Object.freeze({
  gain: () => gainInfo().linear,
  gainDb: () => gainInfo().db,
  gainNode: () => gainInfo().node,
  gainInfo,
  audioContext: () => context?.state ?? null,
  sound: soundSettings,
});

// MARK: - Listening history

/** Tells the server a play started, once per play (now playing, for the scrobblers). */
function announceNowPlaying() {
  const track = current();
  if (!track || announced) return;
  announced = true;
  api("/me/now-playing", { method: "POST", body: { trackId: track.id, client: "web" } })
    .catch((error) => console.warn("now playing", error));
}

/**
 * Reports the current play once: after half the track or 4 minutes, or when it ends/changes.
 * completed: it is playing out its end under the next track (a gapless change or a crossfade).
 */
function reportIfDue(finishing, completed = false) {
  const track = current();
  if (!track || reported) return;
  const threshold = Math.min(duration() / 2 || 240, 240);
  const due = listened >= threshold || (finishing && (audio.ended || completed) && listened > 0);
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
          artwork: [{ src: coverUrl(track.coverArt ?? track.albumId ?? track.id, 512), sizes: "512x512" }],
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
