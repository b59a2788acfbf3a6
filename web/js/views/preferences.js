// Preferences: streaming quality, theme, scrobbling, listening visibility, time zone (where the
// days and hours of your stats begin), and how this browser plays (ReplayGain, crossfade), which
// is kept in the browser like the volume and applies at once.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { refreshStreamVariant } from "../plan.js";
import * as player from "../player.js";
import { formatDb } from "../replaygain.js";
import { applyTheme, session } from "../session.js";
import { announce, announceError } from "../ui.js";

const FORMATS = [["raw", "Original file"], ["mp3", "MP3"], ["opus", "Opus"], ["aac", "AAC"]];
const BITRATES = [0, 96, 128, 192, 256, 320];
// Suggestions only: any IANA name the server knows is accepted.
const ZONES = [
  "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
  "Europe/Madrid", "Europe/Rome", "Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Helsinki",
  "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Atlantic/Reykjavik", "Africa/Cairo",
  "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata",
  "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Seoul",
  "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
  "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago",
  "America/Mexico_City", "America/New_York", "America/Toronto", "America/Bogota", "America/Lima", "America/Santiago",
  "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
];

/** The browser's own time zone ("Europe/Oslo"), or "" when it does not say. */
function deviceZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

export default async function preferencesView(view, { signal }) {
  const prefs = await api("/me/preferences", { signal });
  session.prefs = prefs;
  const formats = [...FORMATS];
  if (prefs.streamFormat && !formats.some(([value]) => value === prefs.streamFormat)) {
    formats.push([prefs.streamFormat, prefs.streamFormat.toUpperCase()]);
  }
  const bitrates = BITRATES.includes(prefs.maxBitrate) ? BITRATES : [...BITRATES, prefs.maxBitrate].sort((a, b) => a - b);

  const format = h("select", { id: "pref-format", name: "streamFormat", "data-testid": "pref-format", value: prefs.streamFormat ?? "raw" },
    formats.map(([value, label]) => h("option", { value }, label)));
  const bitrate = h("select", { id: "pref-bitrate", name: "maxBitrate", "data-testid": "pref-bitrate", value: String(prefs.maxBitrate ?? 0),
    "aria-describedby": "pref-bitrate-hint" },
    bitrates.map((value) => h("option", { value: String(value) }, value ? `${value} kbit/s` : "No limit")));
  const themeChoices = [["auto", "Follow the system"], ["light", "Light"], ["dark", "Dark"]].map(([value, label]) =>
    h("label", { class: "check" },
      h("input", { type: "radio", name: "theme", value, checked: (prefs.theme ?? "auto") === value, "data-testid": `pref-theme-${value}` }), label));
  const scrobbling = h("input", { type: "checkbox", id: "pref-scrobbling", checked: Boolean(prefs.scrobbling), "data-testid": "pref-scrobbling" });
  const visible = h("input", { type: "checkbox", id: "pref-visible", checked: Boolean(prefs.listeningVisible), "data-testid": "pref-visible" });

  const device = deviceZone();
  const zone = h("input", { id: "pref-timezone", type: "text", list: "pref-timezone-list", value: prefs.timeZone ?? "UTC",
    autocomplete: "off", spellcheck: "false", maxlength: 64, required: true, "data-testid": "pref-timezone",
    "aria-describedby": "pref-timezone-hint pref-timezone-error" });
  const zoneError = h("p", { class: "error-text field-error", id: "pref-timezone-error", role: "alert", "data-testid": "pref-timezone-error" });
  const useDevice = h("button", { type: "button", class: "link-button", "data-testid": "pref-timezone-device",
    hidden: !device || device === zone.value, onclick: () => {
      zone.value = device;
      useDevice.hidden = true;
      zone.focus();
    } }, `Use this device’s time zone (${device})`);
  zone.addEventListener("input", () => {
    zoneError.textContent = "";
    zone.removeAttribute("aria-invalid");
    useDevice.hidden = !device || device === zone.value.trim();
  });

  const playback = playbackSettings(signal);

  const form = h("form", { class: "settings", "data-testid": "preferences-form" },
    h("fieldset", {},
      h("legend", {}, "Streaming quality"),
      h("div", { class: "field" }, h("label", { for: "pref-format" }, "Format"), format),
      h("div", { class: "field" }, h("label", { for: "pref-bitrate" }, "Maximum bitrate"), bitrate),
      h("p", { class: "hint", id: "pref-bitrate-hint" }, "“Original file” streams your files as they are unless a bitrate limit is set; the other formats are converted on the server.")),
    playback,
    h("fieldset", {}, h("legend", {}, "Theme"), h("div", { class: "choices" }, themeChoices)),
    h("fieldset", {},
      h("legend", {}, "Sharing"),
      h("label", { class: "check" }, scrobbling, "Scrobble plays (to the services an admin has set up)"),
      h("label", { class: "check" }, visible, "Let other users see what I am listening to")),
    h("fieldset", {},
      h("legend", {}, "Time zone"),
      h("div", { class: "field" }, h("label", { for: "pref-timezone" }, "Time zone (a name such as Europe/Oslo)"), zone,
        h("datalist", { id: "pref-timezone-list" },
          [...new Set([device, prefs.timeZone, ...ZONES].filter(Boolean))].map((name) => h("option", { value: name })))),
      zoneError,
      h("p", { class: "hint", id: "pref-timezone-hint" }, "Your stats count days and hours in this time zone."),
      h("div", {}, useDevice)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "pref-save" }, "Save preferences")));

  // The theme applies as soon as it is picked.
  form.addEventListener("change", (event) => {
    if (event.target.name === "theme") applyTheme(event.target.value);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const theme = form.querySelector("input[name=theme]:checked")?.value ?? "auto";
    const body = { ...prefs, streamFormat: format.value, maxBitrate: Number(bitrate.value), theme,
      scrobbling: scrobbling.checked, listeningVisible: visible.checked, timeZone: zone.value.trim() };
    zoneError.textContent = "";
    try {
      const saved = await api("/me/preferences", { method: "PUT", body });
      Object.assign(prefs, saved ?? body);
      session.prefs = prefs;
      refreshStreamVariant();
      applyTheme(prefs.theme);
      zone.value = prefs.timeZone ?? zone.value;
      zone.removeAttribute("aria-invalid");
      useDevice.hidden = !device || device === zone.value;
      announce("Preferences saved. Quality changes apply from the next track.");
    } catch (error) {
      // The server names what it refused (an unknown time zone, say): show it by the field too.
      if (error.status === 400 && /time ?zone/i.test(error.message)) {
        zoneError.textContent = error.message;
        zone.setAttribute("aria-invalid", "true");
        zone.focus();
      }
      announceError(error, "Saving preferences");
    }
  });
  // Leaving without saving puts the saved theme back.
  signal.addEventListener("abort", () => applyTheme(session.prefs?.theme ?? "auto"));

  append(view, h("div", { class: "page-head" }, h("h1", {}, "Preferences")), form);
}

/**
 * ReplayGain (off, track, album), its pre-amp and clipping prevention, and the crossfade: kept in
 * this browser and applied as they change (they are not part of the server's preferences).
 */
function playbackSettings(signal) {
  const now = player.soundSettings();
  const mode = h("select", { id: "pref-replaygain", name: "replayGain", "data-testid": "pref-replaygain", value: now.mode,
    "aria-describedby": "pref-replaygain-hint" },
    [["off", "Off"], ["track", "Track gain (each track alike)"], ["album", "Album gain (an album as mastered)"]]
      .map(([value, label]) => h("option", { value }, label)));
  const preamp = h("input", { id: "pref-preamp", name: "preamp", type: "number", min: -15, max: 15, step: 0.5,
    value: String(now.preampDb), inputmode: "decimal", "data-testid": "pref-preamp" });
  const clipping = h("input", { id: "pref-clipping", name: "preventClipping", type: "checkbox", checked: now.preventClipping,
    "data-testid": "pref-clipping" });
  const crossfade = h("input", { id: "pref-crossfade", name: "crossfade", type: "number", min: 0, max: 12, step: 1,
    value: String(now.crossfade), inputmode: "numeric", "data-testid": "pref-crossfade", "aria-describedby": "pref-crossfade-hint" });
  const playing = h("p", { class: "hint", "data-testid": "pref-gain-now", "aria-live": "polite" });

  const showPlaying = () => {
    const track = player.current();
    const info = player.gainInfo();
    if (!track || info.mode === "off") {
      playing.textContent = "";
      return;
    }
    const fallback = info.source && info.source !== info.mode ? `, as it has no ${info.mode} gain` : "";
    playing.textContent = info.source
      ? `“${track.title}” plays at ${formatDb(info.db)} (${info.source} gain${fallback}${info.limited ? "; held down by its peak" : ""}).`
      : `“${track.title}” has no ReplayGain tags: it plays as it is.`;
  };
  const save = () => {
    player.setSoundSettings({
      mode: mode.value, preampDb: Number(preamp.value || 0), preventClipping: clipping.checked,
      crossfade: Number(crossfade.value || 0),
    });
    showPlaying();
  };
  for (const input of [mode, clipping]) input.addEventListener("change", save);
  for (const input of [preamp, crossfade]) input.addEventListener("input", save);
  player.on("track", showPlaying, signal);
  player.on("state", showPlaying, signal);
  showPlaying();

  return h("fieldset", { "data-testid": "pref-playback" },
    h("legend", {}, "Playback in this browser"),
    h("div", { class: "field" }, h("label", { for: "pref-replaygain" }, "ReplayGain (volume levelling)"), mode),
    h("p", { class: "hint", id: "pref-replaygain-hint" },
      "Plays tracks tagged with ReplayGain at an even loudness. Album gain keeps an album’s quiet and loud songs as mastered."),
    h("div", { class: "field" }, h("label", { for: "pref-preamp" }, "Pre-amp (dB, added to the tagged gain)"), preamp),
    h("label", { class: "check" }, clipping, "Prevent clipping (never louder than the track’s peak allows)"),
    h("div", { class: "field" }, h("label", { for: "pref-crossfade" }, "Crossfade (seconds, 0 for none)"), crossfade),
    h("p", { class: "hint", id: "pref-crossfade-hint" },
      "Tracks that follow each other on an album always play without a gap; the crossfade is for the other changes."),
    playing,
    h("p", { class: "hint" }, "Kept in this browser, like the volume; changes apply at once."));
}
