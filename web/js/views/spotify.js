// Spotify on the profile (the "spotify" plugin's routes): import the "extended streaming history"
// Spotify exports, one file after another, its plays matched to the library and added to the
// listener's history once (importing a file again adds nothing); then the music the library
// lacks, most wanted first, the listener's own or the household's, also as CSV.

import { ApiError, api, qs } from "../api.js";
import { append, fill, h, plural } from "../dom.js";
import { announce } from "../ui.js";

const BASE = "/plugins/spotify";
/** The most a signed-in listener may send a plugin's route. */
const MAX_BYTES = 32 * 1024 * 1024;
const DISABLED = "Spotify is not enabled on this server; ask your admin.";
/** The figures each upload answers, summed over the files of one import. */
const FIGURES = ["entries", "others", "matched", "imported", "duplicates", "refused", "unmatched"];
/** How many most wanted albums show before "Show all". */
const FIRST_ALBUMS = 20;

/** The plugin is off (its routes answer 404 then). */
const isOff = (error) => error instanceof ApiError && error.status === 404;
const num = (value) => Number(value ?? 0).toLocaleString();

/** The profile's Spotify section: the import, then Missing music. */
export async function spotifySection(signal) {
  const section = h("section", { class: "panel spotify", "aria-labelledby": "spotify-head", "data-testid": "spotify-history" },
    h("h2", { id: "spotify-head" }, "Spotify"));
  // The missing music first: it says whether the plugin runs, and fills the list below the import.
  let first = null;
  let failure = null;
  try {
    first = await api(`${BASE}/missing`, { signal });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    if (isOff(error)) {
      append(section, h("p", { class: "meta", "data-testid": "spotify-disabled" }, DISABLED));
      return section;
    }
    failure = error;
  }
  const missing = missingPart(first, failure, signal);
  append(section, importPart(signal, () => missing.reload()), missing.el);
  return section;
}

// MARK: - Import

function importPart(signal, afterImport) {
  const files = h("input", {
    id: "spotify-files", type: "file", multiple: true, accept: ".json,application/json",
    "aria-describedby": "spotify-files-hint", "data-testid": "spotify-files",
  });
  const button = h("button", { type: "submit", class: "primary", "data-testid": "spotify-import" }, "Import");
  const form = h("form", { class: "inline-form", "data-testid": "spotify-form" },
    h("label", { for: "spotify-files" }, "Streaming history files"), files, button);
  const progress = h("progress", { max: 1, value: 0, "aria-label": "Spotify import progress", "data-testid": "spotify-progress" });
  const progressText = h("span", { class: "meta", "data-testid": "spotify-progress-text" });
  // Polite: the file being sent, then how the import ended.
  const status = h("div", { class: "row spotify-progress", role: "status", hidden: true }, progress, progressText);
  const summary = h("div", { class: "spotify-summary", "data-testid": "spotify-summary", hidden: true });
  let running = false;
  let runs = 0;

  const setRunning = (on) => {
    running = on;
    // aria-disabled, not disabled: the button keeps the keyboard focus while the files go up.
    if (on) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
    button.textContent = on ? "Importing…" : "Import";
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (running) return;
    const chosen = [...(files.files ?? [])];
    if (!chosen.length) {
      announce("Choose one or more Streaming_History_Audio_….json files first.", { error: true });
      files.focus();
      return;
    }
    setRunning(true);
    const totals = Object.fromEntries(FIGURES.map((key) => [key, 0]));
    const problems = [];
    let sent = 0;
    let off = false;
    summary.hidden = true;
    summary.dataset.state = "running";
    status.hidden = false;
    progress.max = chosen.length;
    progress.value = 0;
    try {
      for (const [index, file] of chosen.entries()) {
        progress.value = index;
        progressText.textContent = `File ${index + 1} of ${chosen.length} (${file.name})…`;
        if (file.size > MAX_BYTES) {
          problems.push([file.name, "it is larger than 32 MB; Spotify's own files are smaller. Is it a streaming history file?"]);
          continue;
        }
        try {
          const answer = await api(`${BASE}/history`, { method: "POST", raw: file, contentType: "application/json", signal });
          for (const key of FIGURES) totals[key] += Number(answer?.[key] ?? 0);
          sent += 1;
        } catch (error) {
          if (error?.name === "AbortError") return; // the page was left: what went up is kept
          if (isOff(error)) {
            // Switched off meanwhile: the other files would meet the same answer.
            off = true;
            problems.push([file.name, DISABLED]);
            break;
          }
          problems.push([file.name, error.message]);
        }
      }
    } finally {
      setRunning(false);
    }
    progress.value = chosen.length;
    const done = `${sent} of ${plural(chosen.length, "file")} imported`;
    progressText.textContent = off ? DISABLED
      : `${done}: ${plural(totals.imported, "play")} added, ${num(totals.duplicates)} already there, ${num(totals.unmatched)} not in the library.`;
    renderSummary(summary, totals, problems, sent, chosen.length);
    summary.dataset.result = JSON.stringify({ ...totals, files: chosen.length, sent });
    summary.dataset.run = String(++runs);
    summary.dataset.state = "done";
    summary.hidden = false;
    if (problems.length) announce(`${done}; ${plural(problems.length, "file")} could not be.`, { error: true });
    form.reset();
    if (sent) afterImport();
  });

  return h("div", { class: "spotify-import" },
    h("p", {}, "In your Spotify account, open Privacy settings and ask for your “Extended streaming history”: a few days later Spotify emails you a zip. ",
      "Unzip it and choose its ", h("code", {}, "Streaming_History_Audio_*.json"), " files here (several at once)."),
    h("p", { class: "hint", id: "spotify-files-hint" },
      "Plays of music this library has are added to your history, once: importing a file again adds nothing. Podcasts are skipped; the rest shows under Missing music."),
    form, status, summary);
}

function renderSummary(summary, totals, problems, sent, count) {
  const fact = (label, key, value = totals[key]) => h("div", { class: "stat" }, h("dt", {}, label),
    h("dd", {}, h("span", { class: "stat-value", "data-testid": `spotify-summary-${key}`, "data-value": value }, num(value))));
  fill(summary,
    h("h3", {}, sent === count ? `Imported ${plural(count, "file")}` : `Imported ${sent} of ${plural(count, "file")}`),
    sent ? h("dl", { class: "stat-grid small" },
      fact("Plays read", "read", totals.entries + totals.others),
      fact("Matched in the library", "matched"),
      fact("Added to your history", "imported"),
      fact("Already there", "duplicates"),
      fact("Not in the library", "unmatched"),
      fact("Podcasts skipped", "others"),
      totals.refused ? fact("In libraries you cannot see", "refused") : null) : null,
    problems.length ? h("ul", { class: "problems error-text", "data-testid": "spotify-errors" },
      problems.map(([name, message]) => h("li", { "data-testid": "spotify-error" }, h("strong", {}, name), `: ${message}`))) : null);
}

// MARK: - Missing music

function missingPart(first, failure, signal) {
  let scope = "mine";
  let showAll = false;
  let data = first;
  let loads = null;
  const scopes = [["mine", "Mine"], ["household", "Household"]];
  const radios = scopes.map(([value, label]) => h("label", { "data-testid": `spotify-scope-${value}` },
    h("input", { type: "radio", name: "spotify-scope", value, checked: value === scope }), label));
  const toggle = h("fieldset", { class: "segmented", "data-testid": "spotify-scope" },
    h("legend", { class: "visually-hidden" }, "Whose plays"), radios);
  const csv = h("a", { class: "export", download: "missing-music.csv", "data-testid": "spotify-missing-csv" }, "Download CSV");
  const meta = h("p", { class: "meta", role: "status", "data-testid": "spotify-missing-meta" });
  const body = h("div", { class: "spotify-missing-body" });
  const el = h("div", { class: "spotify-missing", "data-testid": "spotify-missing" },
    h("div", { class: "section-head" }, h("h3", { id: "spotify-missing-head" }, "Missing music"),
      h("div", { class: "toolbar" }, toggle, csv)),
    h("p", { class: "hint" }, "What you played on Spotify that this library lacks, the most played first: a shopping list."),
    meta, body);

  const render = () => {
    csv.href = `/api/v1${BASE}/missing${qs({ scope: scope === "household" ? "household" : null, format: "csv" })}`;
    csv.setAttribute("aria-label", `Missing music${scope === "household" ? " of the household" : ""} as CSV`);
    const albums = data?.albums ?? [];
    const tracks = data?.tracks ?? [];
    const whose = scope === "household"
      ? `the household's imported plays (${plural(data?.listeners ?? 1, "listener")} sharing their listening)` : "your imported plays";
    meta.textContent = albums.length ? `${plural(albums.length, "album")} missing, from ${whose}.` : "";
    if (!albums.length) {
      fill(body, h("p", { class: "empty", "data-testid": "spotify-missing-empty" }, scope === "household"
        ? "Nothing missing: every imported play of the household is of music in the library."
        : "Nothing missing yet. After an import, the albums you played on Spotify that this library lacks show here."));
      return;
    }
    const shown = showAll ? albums : albums.slice(0, FIRST_ALBUMS);
    const more = albums.length > FIRST_ALBUMS
      ? h("button", { type: "button", class: "link-button", "aria-expanded": String(showAll), "data-testid": "spotify-missing-all",
        onclick: () => {
          showAll = !showAll;
          render();
          body.querySelector('[data-testid="spotify-missing-all"]')?.focus();
        } }, showAll ? "Show fewer" : `Show all ${albums.length}`)
      : null;
    fill(body,
      h("div", { class: "table-wrap" }, h("table", { class: "table compact", "data-testid": "spotify-missing-albums" },
        h("caption", { class: "visually-hidden" }, "Most wanted albums"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Artist"), h("th", { scope: "col" }, "Album"),
          h("th", { scope: "col", class: "num" }, "Plays"), h("th", { scope: "col", class: "num" }, "Tracks"))),
        h("tbody", {}, shown.map((album) => h("tr", { "data-testid": "spotify-missing-album", "data-artist": album.artist, "data-album": album.album },
          h("td", {}, album.artist), h("td", {}, album.album || "—"),
          h("td", { class: "num", "data-testid": "spotify-missing-plays" }, num(album.plays)),
          h("td", { class: "num", "data-testid": "spotify-missing-tracks" }, num(album.tracks))))))),
      more,
      tracks.length ? h("details", { class: "spotify-missing-tracks" },
        h("summary", {}, `Most wanted tracks (${tracks.length})`),
        h("div", { class: "table-wrap" }, h("table", { class: "table compact", "data-testid": "spotify-missing-track-table" },
          h("caption", { class: "visually-hidden" }, "Most wanted tracks"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "Artist"),
            h("th", { scope: "col" }, "Album"), h("th", { scope: "col", class: "num" }, "Plays"))),
          h("tbody", {}, tracks.map((track) => h("tr", { "data-testid": "spotify-missing-track" },
            h("td", {}, track.title), h("td", {}, track.artist), h("td", {}, track.album || "—"),
            h("td", { class: "num" }, num(track.plays)))))))) : null);
  };

  const showError = (error) => {
    meta.textContent = "";
    fill(body, h("p", { class: "error-text", "data-testid": "spotify-missing-error" },
      isOff(error) ? DISABLED : `Could not load the missing music: ${error.message}`));
  };

  const reload = async () => {
    loads?.abort();
    const mine = (loads = new AbortController());
    const stop = () => mine.abort();
    signal.addEventListener("abort", stop, { once: true });
    el.setAttribute("aria-busy", "true");
    try {
      data = await api(`${BASE}/missing${qs({ scope: scope === "household" ? "household" : null })}`, { signal: mine.signal });
      render();
    } catch (error) {
      if (error?.name !== "AbortError") showError(error);
    } finally {
      signal.removeEventListener("abort", stop);
      if (loads === mine) el.removeAttribute("aria-busy");
    }
  };

  toggle.addEventListener("change", (event) => {
    scope = event.target.value;
    showAll = false;
    reload();
  });
  if (failure) {
    csv.href = `/api/v1${BASE}/missing?format=csv`;
    showError(failure);
  } else {
    render();
  }
  return { el, reload };
}
