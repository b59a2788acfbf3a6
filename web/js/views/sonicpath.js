// Sonic path: from one track to another in a given number of steps, each sounding like the one
// before (from the sonic analysis); play it, or keep it as a playlist.

import { api, listOf, pickedTracks, qs } from "../api.js";
import { label, playActions, trackList } from "../components.js";
import { append, debounce, fill, h } from "../dom.js";
import { announce, announceError } from "../ui.js";

export default async function sonicPathView(view, { signal }) {
  const from = trackPicker("path-from", "Start track", signal);
  const to = trackPicker("path-to", "End track", signal);
  const count = h("input", { id: "path-count", type: "number", min: 2, max: 100, value: "8", required: true, "data-testid": "path-count" });
  const find = h("button", { type: "submit", class: "primary", "data-testid": "path-find" }, "Find path");
  const result = h("section", { "aria-label": "The path", "data-testid": "path-result" });
  const form = h("form", { class: "settings" },
    from.field, to.field,
    h("div", { class: "field" }, h("label", { for: "path-count" }, "Tracks in the path, both ends included"), count),
    h("div", { class: "actions" }, find));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!from.track || !to.track) {
      fill(result, h("p", { class: "error-text", "data-testid": "path-message" }, "Choose a start track and an end track first."));
      (from.track ? to : from).input.focus();
      return;
    }
    find.disabled = true;
    result.setAttribute("aria-busy", "true");
    try {
      const tracks = pickedTracks(await api(`/sonic-path${qs({ from: from.track.id, to: to.track.id, count: count.value })}`, { signal }));
      const name = `From “${from.track.title}” to “${to.track.title}”`;
      fill(result,
        h("h2", {}, name),
        playActions(async () => tracks, { label: name, testPrefix: "path" }),
        trackList(tracks, { numbering: "index", signal, label: "The path" }));
      announce(`A path of ${tracks.length} tracks.`);
    } catch (error) {
      if (error.name === "AbortError") return;
      const message = {
        409: "These tracks are not analysed yet. Canto measures how each track sounds after a scan; "
          + "try again once that has finished (the admin page shows how far it is).",
        404: "One of these tracks is no longer in your library.",
      }[error.status] ?? `No path: ${error.message}`;
      fill(result, h("p", { class: error.status === 409 ? "notice" : "error-text", "data-testid": "path-message" }, message));
      announce(message, { error: true });
    } finally {
      find.disabled = false;
      result.removeAttribute("aria-busy");
    }
  });

  append(view,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/for-you" }, "For you")),
    h("div", { class: "page-head" }, h("h1", {}, "Sonic path")),
    h("p", { class: "hint" }, "Type part of a title or an artist, then choose the track among the matches."),
    form, result);
}

/**
 * A track chosen by typing: the search's first few matches show as buttons under the field
 * (↓ from the field reaches them, ↑/↓ move between them, Escape goes back, Enter in the field
 * takes the first). Returns { field, input, track } with track the chosen one, or null.
 */
function trackPicker(id, text, signal) {
  const picker = { track: null };
  const input = h("input", { id, type: "search", autocomplete: "off", spellcheck: "false", "data-testid": id,
    placeholder: "Title or artist", "aria-describedby": `${id}-chosen` });
  const matches = h("ul", { class: "choice-list path-matches", "aria-label": `Matches for the ${text.toLowerCase()}`, hidden: true,
    "data-testid": `${id}-matches` });
  const chosen = h("p", { id: `${id}-chosen`, class: "meta", "data-testid": `${id}-chosen` }, "None chosen yet.");
  const choose = (track) => {
    picker.track = track;
    input.value = track.title;
    chosen.textContent = `Chosen: ${label(track)}`;
    matches.hidden = true;
    input.focus();
    announce(`${text}: ${label(track)}.`);
  };
  let sequence = 0;
  const lookUp = debounce(async (query) => {
    const mine = ++sequence;
    try {
      const tracks = listOf((await api(`/search${qs({ q: query, limit: 5 })}`, { signal }))?.tracks).slice(0, 5);
      if (mine !== sequence) return;
      fill(matches, tracks.map((track) => h("li", {},
        h("button", { type: "button", "data-testid": "path-option", "data-track-id": track.id, onclick: () => choose(track) },
          h("span", {}, track.title), h("span", { class: "meta" }, [track.artist, track.album].filter(Boolean).join(" · "))))));
      if (!tracks.length) matches.append(h("li", { class: "empty" }, `No track matches “${query}”.`));
      matches.hidden = false;
    } catch (error) {
      announceError(error, "Searching");
    }
  }, 200);
  input.addEventListener("input", () => {
    picker.track = null;
    chosen.textContent = "None chosen yet.";
    const query = input.value.trim();
    if (query) lookUp(query);
    else {
      sequence++;
      matches.hidden = true;
    }
  });
  const options = () => [...matches.querySelectorAll("button")];
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && !matches.hidden && options().length) options()[0].focus();
    else if (event.key === "Enter" && !matches.hidden && options().length) options()[0].click();
    else if (event.key === "Escape" && !matches.hidden) matches.hidden = true;
    else return;
    event.preventDefault();
  });
  matches.addEventListener("keydown", (event) => {
    const list = options();
    const i = list.indexOf(document.activeElement);
    if (event.key === "ArrowDown") list[Math.min(i + 1, list.length - 1)]?.focus();
    else if (event.key === "ArrowUp") (i > 0 ? list[i - 1] : input).focus();
    else if (event.key === "Escape") {
      matches.hidden = true;
      input.focus();
    } else return;
    event.preventDefault();
  });
  picker.input = input;
  picker.field = h("div", { class: "field" }, h("label", { for: id }, text), input, matches, chosen);
  return picker;
}
