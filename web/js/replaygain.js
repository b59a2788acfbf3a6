// ReplayGain: how loud to play a track from its tags. Pure, so it is tested on its own.

export const REPLAYGAIN_MODES = ["off", "track", "album"];

/** A number, or null for anything that is not a finite one. */
const finite = (value) => (typeof value === "number" && Number.isFinite(value) ? value : null);

/**
 * The gain to play a track at: {linear, db, source, limited}.
 *
 * - rg: the track's `replayGain` ({trackGain, trackPeak, albumGain, albumPeak}: dB and linear
 *   peaks; null or absent when the file has no tags).
 * - mode: "off" (always 1), "track" (the track's gain, else the album's) or "album" (the album's
 *   gain, else the track's).
 * - preampDb: added to a tagged track's gain (an untagged one plays as it is).
 * - preventClipping: the gain is held so that peak × gain ≤ 1 (the peak of the gain used).
 *
 * source is "track", "album" or null (no gain applied); limited says the peak held the gain down.
 */
export function replayGain(rg, { mode = "off", preampDb = 0, preventClipping = true } = {}) {
  const none = { linear: 1, db: 0, source: null, limited: false };
  if (mode !== "track" && mode !== "album") return none;
  const track = { gain: finite(rg?.trackGain), peak: finite(rg?.trackPeak), source: "track" };
  const album = { gain: finite(rg?.albumGain), peak: finite(rg?.albumPeak), source: "album" };
  const order = mode === "album" ? [album, track] : [track, album];
  const chosen = order.find((candidate) => candidate.gain != null);
  if (!chosen) return none;
  const db = chosen.gain + (finite(preampDb) ?? 0);
  let linear = Math.pow(10, db / 20);
  let limited = false;
  if (preventClipping && chosen.peak != null && chosen.peak > 0 && linear * chosen.peak > 1) {
    linear = 1 / chosen.peak;
    limited = true;
  }
  return { linear, db: 20 * Math.log10(linear), source: chosen.source, limited };
}

/** "−6.0 dB", "+1.5 dB". */
export function formatDb(db) {
  const rounded = Math.round(db * 10) / 10;
  if (rounded === 0) return "0.0 dB";
  return `${rounded > 0 ? "+" : "−"}${Math.abs(rounded).toFixed(1)} dB`;
}
