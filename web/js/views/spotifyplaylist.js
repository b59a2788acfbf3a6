// One playlist brought from Spotify: its entries in Spotify's order, each with the library track it
// was matched to (and how) or greyed out when the library has none. "Fix match" searches the
// library for the track an entry is, or says none is; the choice is kept for every sync after, and
// the Canto playlist and the stars follow at once.

import { api, enc, listOf, qs } from "../api.js";
import { append, debounce, fill, h, plural } from "../dom.js";
import { announce, announceError, openDialog } from "../ui.js";
import { UNREADABLE, isLinked, spotifyAccount } from "./spotify.js";

const BASE = "/plugins/spotify";
/** Entries shown at first, and added by each "Show more". */
const CHUNK = 300;
const METHODS = { isrc: "by ISRC", tags: "by title, artist and length", manual: "your choice" };

export default async function spotifyPlaylistView(view, { params, signal }) {
  const id = params.id;
  const [status, first, account] = await Promise.all([
    api(`${BASE}/status`, { signal }),
    api(`${BASE}/playlists/${enc(id)}`, { signal }),
    spotifyAccount(signal).catch(() => null),
  ]);
  let info = listOf(status?.playlists).find((list) => list.id === id) ?? { id, name: "Spotify playlist", readable: true };
  let entries = listOf(first?.entries);
  let onlyMissing = false;
  let limit = CHUNK;

  const title = h("h1", { "data-testid": "spotify-playlist-title" }, info.name);
  const meta = h("p", { class: "meta", "data-testid": "spotify-playlist-meta" });
  const canto = h("a", { class: "button", "data-testid": "spotify-playlist-canto", hidden: true }, "Open the Canto playlist");
  const list = h("ol", { class: "spotify-entries", "aria-labelledby": "spotify-entries-head", "data-testid": "spotify-entries" });
  const more = h("button", { type: "button", class: "more-btn", hidden: true, onclick: () => {
    limit += CHUNK;
    render();
  } });
  // Polite: what a correction did, or why it could not be made.
  const status_ = h("p", { class: "meta", role: "status", "data-testid": "spotify-fix-status" });
  const play = h("button", { type: "button", "data-testid": "spotify-playlist-play", hidden: !isLinked(account) }, "Play on Spotify");
  play.addEventListener("click", async () => {
    if (play.getAttribute("aria-disabled") === "true") return;
    play.setAttribute("aria-disabled", "true");
    try {
      await api(`${BASE}/player/play`, { method: "PUT", body: { contextUri: `spotify:playlist:${id}` } });
      say(`Playing “${info.name}” on Spotify.`);
    } catch (error) {
      say(`Could not play “${info.name}” on Spotify: ${error.message}`, true);
    } finally {
      play.removeAttribute("aria-disabled");
    }
  });

  const say = (message, error = false) => {
    status_.textContent = message;
    status_.classList.toggle("error-text", error);
    status_.dataset.state = error ? "error" : "ok";
    if (error) announce(message, { error: true });
  };

  const renderMeta = () => {
    const matched = entries.filter((entry) => entry.trackId).length;
    title.textContent = info.name;
    meta.textContent = `${plural(entries.length, "entry", "entries")} · ${matched} in the library · ${entries.length - matched} not`;
    meta.dataset.matched = String(matched);
    canto.hidden = !info.playlistId;
    if (info.playlistId) canto.href = `#/playlist/${enc(info.playlistId)}`;
  };

  const row = (entry) => {
    const matched = Boolean(entry.trackId);
    const how = matched
      ? `In the library, ${METHODS[entry.method] ?? "matched"}${entry.method === "tags" && entry.confidence != null ? ` (${Math.round(entry.confidence * 100)} % sure)` : ""}`
      : "Not in the library";
    return h("li", {
      class: "spotify-entry" + (matched ? "" : " absent"), "data-testid": "spotify-entry", "data-spotify-id": entry.spotifyId,
      "data-matched": String(matched), "data-track-id": entry.trackId ?? "",
    },
      h("span", { class: "col-num" }, String(entry.position + 1)),
      h("div", { class: "col-title" },
        h("span", { class: "title", "data-testid": "spotify-entry-title" }, entry.title),
        h("span", { class: "sub" }, [entry.artist, entry.album].filter(Boolean).join(" · ")),
        h("span", { class: "sub match-note", "data-testid": "spotify-entry-match" }, how)),
      h("button", { type: "button", "data-testid": "spotify-fix", "aria-label": `${matched ? "Change" : "Fix"} the match of ${entry.title}`,
        onclick: () => fixDialog(entry, { signal, onFixed: (message) => reload(entry.spotifyId, message) }) },
      matched ? "Change match" : "Fix match"));
  };

  const render = () => {
    renderMeta();
    const shownEntries = onlyMissing ? entries.filter((entry) => !entry.trackId) : entries;
    const shown = shownEntries.slice(0, limit);
    fill(list, shown.map(row));
    if (!shownEntries.length) {
      list.append(h("li", { class: "empty" }, onlyMissing ? "Every entry is in the library." : "This playlist is empty on Spotify."));
    }
    more.hidden = shown.length >= shownEntries.length;
    more.textContent = `Show more (${shownEntries.length - shown.length} left)`;
  };

  /** Reads the entries (and the counts) again after a correction; the fixed row keeps the focus. */
  const reload = async (spotifyId, message) => {
    try {
      const [again, lists] = await Promise.all([
        api(`${BASE}/playlists/${enc(id)}`, { signal }), api(`${BASE}/status`, { signal })]);
      entries = listOf(again?.entries);
      info = listOf(lists?.playlists).find((list) => list.id === id) ?? info;
      render();
      say(message);
      const button = list.querySelector(`[data-spotify-id="${CSS.escape(spotifyId)}"] [data-testid="spotify-fix"]`);
      (button ?? list.querySelector('[data-testid="spotify-fix"]') ?? title).focus();
    } catch (error) {
      if (error?.name !== "AbortError") say(`Could not read the playlist again: ${error.message}`, true);
    }
  };

  const filter = h("fieldset", { class: "segmented", "data-testid": "spotify-entries-filter" },
    h("legend", { class: "visually-hidden" }, "Which entries"),
    [["all", "All"], ["missing", "Not in the library"]].map(([value, label]) => h("label", { "data-testid": `spotify-entries-${value}` },
      h("input", { type: "radio", name: "spotify-entries", value, checked: value === "all" }), label)));
  filter.addEventListener("change", (event) => {
    onlyMissing = event.target.value === "missing";
    limit = CHUNK;
    render();
  });

  append(view,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/profile" }, "Profile"), " › Spotify"),
    h("div", { class: "page-head" }, title),
    meta,
    info.readable === false ? h("p", { class: "notice" }, UNREADABLE) : null,
    h("div", { class: "actions" }, canto, play),
    status_,
    h("div", { class: "section-head" }, h("h2", { id: "spotify-entries-head" }, "Entries"), filter),
    h("p", { class: "hint" }, "Greyed entries are not in the library (they show under Missing music). “Fix match” picks the track an entry is, or says the library has none; the choice is kept for every sync after."),
    list, more);
  render();
}

/** A search of the library for the track a Spotify entry is; onFixed(message) after the choice is saved. */
async function fixDialog(entry, { signal, onFixed }) {
  // The title without Spotify's " - 2011 Remaster" or " (Live)" parts: what the library likely calls it.
  const guess = entry.title.replace(/\s+-\s+.*$/, "").replace(/\s*[([].*?[)\]]\s*/g, " ").trim() || entry.title;
  const query = h("input", { id: "spotify-fix-query", type: "search", autocomplete: "off", spellcheck: "false", value: guess,
    "data-testid": "spotify-fix-query" });
  const results = h("ul", { class: "choice-list spotify-fix-results", "aria-label": "Tracks in the library", "data-testid": "spotify-fix-results" });
  const note = h("p", { class: "meta", role: "status", "data-testid": "spotify-fix-note" });
  const current = h("p", { class: "meta", "data-testid": "spotify-fix-current" });
  let close = () => {};
  let saving = false;
  let sequence = 0;

  const save = async (track) => {
    if (saving) return;
    saving = true;
    note.textContent = "Saving…";
    try {
      await api(`${BASE}/corrections`, { method: "PUT", body: { spotifyId: entry.spotifyId, trackId: track?.id ?? null } });
      close();
      onFixed(track
        ? `“${entry.title}” is now “${track.title}” by ${track.artist ?? "an unknown artist"}.`
        : `“${entry.title}” is marked as not in the library.`);
    } catch (error) {
      note.textContent = `Could not save: ${error.message}`;
      note.classList.add("error-text");
    } finally {
      saving = false;
    }
  };

  const search = async (text) => {
    const mine = ++sequence;
    if (!text) {
      fill(results);
      note.textContent = "Type a title or an artist.";
      return;
    }
    results.setAttribute("aria-busy", "true");
    try {
      const found = listOf((await api(`/search${qs({ q: text, limit: 10 })}`, { signal }))?.tracks).slice(0, 10);
      if (mine !== sequence) return;
      fill(results, found.map((track) => h("li", {},
        h("button", { type: "button", "data-testid": "spotify-fix-option", "data-track-id": track.id, onclick: () => save(track) },
          h("span", { class: "col-title" }, h("span", { class: "title" }, track.title),
            h("span", { class: "sub" }, [track.artist, track.album].filter(Boolean).join(" · ")))))));
      note.classList.remove("error-text");
      note.textContent = found.length ? `${plural(found.length, "track")} found.` : `No track in the library matches “${text}”.`;
    } catch (error) {
      if (error?.name === "AbortError") return;
      note.textContent = `Search failed: ${error.message}`;
      note.classList.add("error-text");
    } finally {
      if (mine === sequence) results.removeAttribute("aria-busy");
    }
  };
  const later = debounce((text) => search(text), 200);
  query.addEventListener("input", () => later(query.value.trim()));
  query.addEventListener("keydown", (event) => {
    const first = results.querySelector("button");
    if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      first.focus();
    }
  });
  results.addEventListener("keydown", (event) => {
    const buttons = [...results.querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") buttons[Math.min(i + 1, buttons.length - 1)]?.focus();
    else if (event.key === "ArrowUp") (i > 0 ? buttons[i - 1] : query).focus();
    else return;
    event.preventDefault();
  });

  const none = h("button", { type: "button", class: "danger", "data-testid": "spotify-fix-none", onclick: () => save(null) },
    "None of these: not in the library");
  ({ close } = openDialog({
    title: `Fix the match of “${entry.title}”`, testid: "spotify-fix-dialog",
    body: [
      h("p", {}, "On Spotify: ", h("strong", {}, entry.title), ` by ${entry.artist}${entry.album ? ` (${entry.album})` : ""}.`),
      current,
      h("form", { class: "field", onsubmit: (event) => {
        event.preventDefault();
        search(query.value.trim());
      } }, h("label", { for: "spotify-fix-query" }, "Search the library"), query),
      note, results,
      h("div", { class: "actions" }, none, h("button", { type: "button", onclick: () => close() }, "Cancel")),
    ],
  }));
  query.focus();
  query.select();
  if (entry.trackId) {
    api(`/tracks/${enc(entry.trackId)}`, { signal })
      .then((track) => { current.textContent = `Matched now to “${track.title}” by ${track.artist} (${track.album}).`; })
      .catch((error) => { if (error?.name !== "AbortError") announceError(error, "Loading the matched track"); });
  }
  search(guess);
}
