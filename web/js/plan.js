// The signed-in listener's plan as the player sees it: what it limits and the plan that lifts the
// limit (the player bar), the stream URLs' variant, and the word that it changed (after a payment).

import { api, listOf, setStreamVariant } from "./api.js";
import { session } from "./session.js";

let cached = null;

/** {mine, plans, providers}: /me/plan and /plans, asked once until the plan changes. */
export function myPlan() {
  if (!cached) {
    cached = Promise.all([api("/me/plan"), api("/plans")])
      .then(([mine, page]) => ({ mine, plans: listOf(page), providers: page?.providers ?? [] }))
      .catch((error) => {
        cached = null;
        throw error;
      });
  }
  return cached;
}

export const PLAN_CHANGED = "canto:plan-changed";

/** Says the listener's plan changed (a payment arrived, a subscription ended). */
export function planChanged() {
  cached = null;
  refreshStreamVariant();
  window.dispatchEvent(new CustomEvent(PLAN_CHANGED));
}

/** A short FNV-1a hash, in base 36. */
function shortHash(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * Sets the stream URLs' variant from what decides how the server shapes a stream: the listener,
 * their plan and what it grants, their own quality settings. (The server's raw-file answers carry
 * an ETag and no Cache-Control, so without it the browser could replay the previous listener's
 * original file, or a transcode made before an upgrade.) Call after signing in and when any of
 * them changes; the next track loaded uses it.
 */
export async function refreshStreamVariant() {
  const me = session.me;
  if (!me) return setStreamVariant("");
  let plan = "";
  try {
    const { mine } = await myPlan();
    const e = mine.entitlements ?? {};
    plan = [mine.plan?.id, e.maxBitrate ?? "", e.originalFiles ? 1 : 0].join(",");
  } catch (error) {
    console.warn("plan", error);
  }
  if (session.me !== me) return; // someone else signed in meanwhile
  const prefs = session.prefs ?? {};
  setStreamVariant(shortHash([me.id, me.maxBitrate ?? "", plan, prefs.streamFormat ?? "", prefs.maxBitrate ?? ""].join("|")));
}

/** Whether a plan plays the original files, whatever their bitrate. */
export const playsOriginals = (e) => Boolean(e?.originalFiles) && e?.maxBitrate == null;

/** The cheapest plan other than `current` that plays the original files (as the server names one in a refusal). */
export function originalsOffer(plans, current) {
  return plans
    .filter((plan) => plan.id !== current?.id && playsOriginals(plan.entitlements))
    .sort((a, b) => a.priceMinor - b.priceMinor || a.name.localeCompare(b.name))[0] ?? null;
}

/**
 * The stream quality the listener's plan holds them to, or null when it plays the original files:
 * {short: "128 kbit/s", message: "Your plan (Free) streams … the Premium plan.", offer}.
 */
export function qualityLimit({ mine, plans }) {
  const e = mine?.entitlements;
  if (!e || playsOriginals(e)) return null;
  const name = mine.plan?.name ?? "Free";
  const offer = originalsOffer(plans, mine.plan);
  const what = e.maxBitrate != null
    ? `Your plan (${name}) streams at up to ${e.maxBitrate} kbit/s`
    : `Your plan (${name}) streams transcoded copies, not the original files`;
  const lift = offer ? `original quality comes with the ${offer.name} plan.` : "original quality is not part of any plan here; ask an admin.";
  return {
    short: e.maxBitrate != null ? `${e.maxBitrate} kbit/s` : "Transcoded",
    message: `${what}; ${lift}`,
    offer,
  };
}
