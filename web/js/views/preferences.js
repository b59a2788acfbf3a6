// Preferences: streaming quality, theme, scrobbling, listening visibility.

import { api } from "../api.js";
import { append, h } from "../dom.js";
import { applyTheme, session } from "../session.js";
import { announce, announceError } from "../ui.js";

const FORMATS = [["raw", "Original file"], ["mp3", "MP3"], ["opus", "Opus"], ["aac", "AAC"]];
const BITRATES = [0, 96, 128, 192, 256, 320];

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

  const form = h("form", { class: "settings", "data-testid": "preferences-form" },
    h("fieldset", {},
      h("legend", {}, "Streaming quality"),
      h("div", { class: "field" }, h("label", { for: "pref-format" }, "Format"), format),
      h("div", { class: "field" }, h("label", { for: "pref-bitrate" }, "Maximum bitrate"), bitrate),
      h("p", { class: "hint", id: "pref-bitrate-hint" }, "“Original file” streams your files as they are unless a bitrate limit is set; the other formats are converted on the server.")),
    h("fieldset", {}, h("legend", {}, "Theme"), h("div", { class: "choices" }, themeChoices)),
    h("fieldset", {},
      h("legend", {}, "Sharing"),
      h("label", { class: "check" }, scrobbling, "Scrobble plays (to the services an admin has set up)"),
      h("label", { class: "check" }, visible, "Let other users see what I am listening to")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "pref-save" }, "Save preferences")));

  // The theme applies as soon as it is picked.
  form.addEventListener("change", (event) => {
    if (event.target.name === "theme") applyTheme(event.target.value);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const theme = form.querySelector("input[name=theme]:checked")?.value ?? "auto";
    const body = { ...prefs, streamFormat: format.value, maxBitrate: Number(bitrate.value), theme,
      scrobbling: scrobbling.checked, listeningVisible: visible.checked };
    try {
      const saved = await api("/me/preferences", { method: "PUT", body });
      Object.assign(prefs, saved ?? body);
      session.prefs = prefs;
      applyTheme(prefs.theme);
      announce("Preferences saved. Quality changes apply from the next track.");
    } catch (error) {
      announceError(error, "Saving preferences");
    }
  });
  // Leaving without saving puts the saved theme back.
  signal.addEventListener("abort", () => applyTheme(session.prefs?.theme ?? "auto"));

  append(view, h("div", { class: "page-head" }, h("h1", {}, "Preferences")), form);
}
