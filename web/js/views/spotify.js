// Spotify on the profile (the "spotify" plugin's routes): for admins, what to register in the
// Spotify Developer Dashboard; the listener's link to their Spotify account (through Spotify's
// own page) and what Canto asks it for; a sync of their playlists, liked songs, recently played
// and top items, the playlists listed with how much of each the library has (each one's entries
// on their own page, where a wrong or missing match is fixed); Spotify Connect (devices and a
// small remote); the "extended streaming history" Spotify exports, imported one file after
// another (its plays matched to the library and added to the listener's history once); then the
// music the library lacks, most wanted first, the listener's own or the household's, also as CSV.

import { ApiError, api, enc, listOf, qs } from "../api.js";
import { append, fill, fmtDate, h, plural } from "../dom.js";
import { render } from "../router.js";
import { session } from "../session.js";
import { announce, confirmDialog } from "../ui.js";
import { connectPanel } from "./spotifyconnect.js";

const BASE = "/plugins/spotify";
/** The most a signed-in listener may send a plugin's route. */
const MAX_BYTES = 32 * 1024 * 1024;
const DISABLED = "Spotify is not enabled on this server; ask your admin.";
/** The figures each upload answers, summed over the files of one import. */
const FIGURES = ["entries", "others", "matched", "imported", "duplicates", "refused", "unmatched"];
/** How many most wanted albums show before "Show all". */
const FIRST_ALBUMS = 20;
/** Why a playlist's entries are not there. */
export const UNREADABLE = "Spotify lets apps read only playlists you own or collaborate on.";

/** What each scope Canto asks for lets it do, in words. */
const SCOPE_WORDS = {
  "playlist-read-private": "Read your playlists, the private ones too",
  "playlist-read-collaborative": "Read the playlists you collaborate on",
  "playlist-modify-private": "Make private playlists (Export to Spotify)",
  "playlist-modify-public": "Make public playlists (Export to Spotify)",
  "user-library-read": "Read your liked songs",
  "user-read-recently-played": "Read what you played recently",
  "user-top-read": "Read your top artists and tracks",
  "user-read-private": "Read your account's name and subscription",
  "user-read-playback-state": "See your devices and what plays on them",
  "user-modify-playback-state": "Control playback on your devices (Spotify Connect)",
};

/** The plugin is off (its routes answer 404 then). */
const isOff = (error) => error instanceof ApiError && error.status === 404;
const num = (value) => Number(value ?? 0).toLocaleString();
const settled = (result) => (result.status === "fulfilled" ? result.value : null);
const failed = (result) => (result.status === "rejected" ? result.reason : null);

/** The listener's Spotify link ({plugin, linked, account, state, …}), or null when Spotify is off. */
export async function spotifyAccount(signal) {
  const accounts = listOf(await api("/me/linked-accounts", { signal }));
  return accounts.find((account) => account.plugin === "spotify") ?? null;
}

/** Linked, and Spotify still accepts the link. */
export const isLinked = (account) => Boolean(account?.linked) && account.state !== "reconnect";

/** The profile's Spotify section: setup (admins), the account, sync and playlists, Connect, the import, Missing music. */
export async function spotifySection(signal) {
  const section = h("section", { class: "panel spotify", "aria-labelledby": "spotify-head", "data-testid": "spotify-history" },
    h("h2", { id: "spotify-head" }, "Spotify"));
  // Asked together: the missing music says whether the plugin runs, and fills the list at the end.
  const results = await Promise.allSettled([
    api(`${BASE}/missing`, { signal }), api(`${BASE}/setup`, { signal }), spotifyAccount(signal), api(`${BASE}/status`, { signal }),
  ]);
  const abort = results.map(failed).find((error) => error?.name === "AbortError");
  if (abort) throw abort;
  const [missingResult, setupResult, accountResult, statusResult] = results;
  if (isOff(failed(missingResult))) {
    append(section, h("p", { class: "meta", "data-testid": "spotify-disabled" }, DISABLED));
    return section;
  }
  const setup = settled(setupResult);
  const account = settled(accountResult);
  const missing = missingPart(settled(missingResult), failed(missingResult), signal);
  const linked = isLinked(account);
  const connect = linked ? connectPanel(signal) : null;
  append(section,
    session.isAdmin ? setupPart(setup, failed(setupResult)) : null,
    accountPart(setup, account, failed(accountResult)),
    account?.linked ? syncPart(settled(statusResult), failed(statusResult), connect, signal, () => missing.reload()) : null,
    connect?.el,
    h("div", { class: "spotify-part" }, h("h3", {}, "Streaming history"), importPart(signal, () => missing.reload())),
    missing.el);
  connect?.refresh();
  return section;
}

// MARK: - Export (a Canto playlist's page)

/**
 * "Export to Spotify" for a Canto playlist: { button, result }. The button shows once the
 * listener's Spotify link is known to work; the result says what was added and what Spotify lacks.
 */
export function spotifyExport(getPlaylist, signal) {
  const button = h("button", { type: "button", hidden: true, "data-testid": "playlist-export-spotify" }, "Export to Spotify");
  const result = h("div", { class: "spotify-export", "aria-live": "polite", "data-testid": "spotify-export-result" });
  let runs = 0;
  spotifyAccount(signal).then((account) => {
    button.hidden = !isLinked(account);
  }).catch(() => {});
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-disabled") === "true") return;
    const playlist = getPlaylist();
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Exporting…";
    result.dataset.state = "running";
    fill(result, h("p", { class: "meta" }, `Exporting “${playlist.name}” to Spotify…`));
    try {
      const answer = (await api(`${BASE}/export`, { method: "POST", body: { playlistId: playlist.id } })) ?? {};
      const missing = listOf(answer.notFound);
      fill(result,
        h("p", { "data-testid": "spotify-export-summary" },
          `Exported to Spotify: ${plural(answer.added ?? 0, "track")} added${missing.length ? `, ${missing.length} not found there` : ""}.`,
          answer.spotifyPlaylistId ? [" ", h("a", { href: `https://open.spotify.com/playlist/${enc(answer.spotifyPlaylistId)}`,
            target: "_blank", rel: "noopener", "data-testid": "spotify-export-open" }, "Open it on Spotify")] : null),
        missing.length ? h("details", { class: "spotify-not-found", open: missing.length <= 10 },
          h("summary", {}, `Not found on Spotify (${missing.length})`),
          h("ul", { "data-testid": "spotify-export-missing" }, missing.map((track) => h("li", { "data-testid": "spotify-export-missing-track" },
            track.title, track.artist ? h("span", { class: "meta" }, ` by ${track.artist}`) : null)))) : null);
      result.dataset.result = JSON.stringify(answer);
      result.dataset.state = "done";
    } catch (error) {
      if (error?.name === "AbortError") return;
      fill(result, h("p", { class: "error-text", "data-testid": "spotify-export-error" }, `Could not export to Spotify: ${error.message}`));
      result.dataset.state = "failed";
    } finally {
      result.dataset.run = String(++runs);
      button.removeAttribute("aria-disabled");
      button.textContent = "Export to Spotify";
    }
  });
  return { button, result };
}

// MARK: - Setup (admins)

function setupPart(setup, failure) {
  if (!setup) {
    return h("p", { class: "error-text", "data-testid": "spotify-setup-error" },
      `Could not read the Spotify setup: ${failure?.message ?? "no answer"}`);
  }
  const copy = h("button", { type: "button", "data-testid": "spotify-redirect-copy", onclick: async () => {
    try {
      await navigator.clipboard.writeText(setup.redirectUri);
      announce("Redirect URI copied.");
    } catch {
      announce("Select the address and press Ctrl+C (⌘C) to copy it.");
    }
  } }, "Copy");
  const ready = setup.clientIdSet && setup.accepted;
  return h("details", { class: "spotify-part spotify-setup", open: !ready, "data-testid": "spotify-setup" },
    h("summary", {}, h("h3", {}, "Spotify app (admins)"),
      h("span", { class: "meta", "data-testid": "spotify-setup-state" }, ready ? " Set up." : " Needs setting up.")),
    h("p", {}, "Each household uses its own app from the ",
      h("a", { href: "https://developer.spotify.com/dashboard", target: "_blank", rel: "noopener" }, "Spotify Developer Dashboard"),
      ". Create one there, register the Redirect URI below, and add each listener's Spotify account under its User Management: an app in Development Mode works only for the people listed there."),
    h("dl", { class: "spotify-facts" },
      h("dt", {}, "Client ID"),
      h("dd", { "data-testid": "spotify-client-id", "data-value": String(Boolean(setup.clientIdSet)) }, setup.clientIdSet
        ? "Entered."
        : ["Not entered yet: copy it from the app's page into ", h("a", { href: "#/admin" }, "Admin → Plugins → Spotify"), " (client_id)."]),
      h("dt", {}, "Redirect URI"),
      h("dd", { class: "row" }, h("code", { class: "spotify-uri", "data-testid": "spotify-redirect-uri" }, setup.redirectUri || "—"),
        setup.redirectUri ? copy : null),
      h("dt", {}, "Spotify accepts it"),
      h("dd", { class: setup.accepted ? null : "error-text", "data-testid": "spotify-redirect-accepted", "data-value": String(Boolean(setup.accepted)) },
        setup.accepted ? "Yes" : "No")),
    setup.advice ? h("p", { class: setup.accepted ? "hint" : "notice", "data-testid": "spotify-setup-advice" }, setup.advice) : null);
}

// MARK: - The account

function scopeList(setup) {
  const scopes = listOf(setup?.scopes);
  if (!scopes.length) return null;
  return h("details", { class: "spotify-scopes", "data-testid": "spotify-permissions" },
    h("summary", {}, `What Canto asks Spotify for (${plural(scopes.length, "permission")})`),
    h("ul", {}, scopes.map((scope) => h("li", { "data-testid": "spotify-permission", "data-scope": scope },
      SCOPE_WORDS[scope] ?? scope, " ", h("code", {}, scope)))));
}

function accountPart(setup, account, failure) {
  const state = !account ? "unknown" : !account.linked ? "none" : account.state === "reconnect" ? "reconnect" : "linked";
  const words = {
    unknown: `Your Spotify link could not be read${failure ? `: ${failure.message}` : ""}.`,
    none: "Not linked.",
    linked: `Linked as ${account?.account ?? "your Spotify account"}.`,
    reconnect: `Spotify no longer accepts the link${account?.message ? ` (${account.message})` : ""}: reconnect it.`,
  }[state];
  const canLink = setup ? Boolean(setup.clientIdSet) : true;
  const connect = h("button", { type: "button", class: state === "linked" ? null : "primary", "data-testid": "spotify-link" },
    state === "linked" || state === "reconnect" ? "Reconnect" : "Connect on Spotify");
  connect.addEventListener("click", async () => {
    if (connect.getAttribute("aria-disabled") === "true") return;
    connect.setAttribute("aria-disabled", "true");
    connect.textContent = "Opening Spotify…";
    try {
      // Spotify's own page; it sends the browser back to the server, then to this page.
      const { url } = await api("/me/linked-accounts/spotify/authorize", { method: "POST" });
      location.assign(url);
    } catch (error) {
      connect.removeAttribute("aria-disabled");
      connect.textContent = state === "none" ? "Connect on Spotify" : "Reconnect";
      message.textContent = `Could not start linking: ${error.message}`;
      announce(message.textContent, { error: true });
    }
  });
  const unlink = h("button", { type: "button", class: "danger", "data-testid": "spotify-unlink", onclick: async () => {
    if (!(await confirmDialog("Unlink Spotify? Syncs stop; what was brought in stays.", { confirmLabel: "Unlink", danger: true }))) return;
    try {
      await api("/me/linked-accounts/spotify", { method: "DELETE" });
      announce("Spotify unlinked.");
      render();
    } catch (error) {
      message.textContent = `Could not unlink: ${error.message}`;
      announce(message.textContent, { error: true });
    }
  } }, "Unlink");
  const message = h("p", { class: "error-text", role: "alert", "data-testid": "spotify-link-error" });
  const notReady = session.isAdmin
    ? "Enter the Client ID of the household's Spotify app first (see Spotify app above)."
    : "An admin has to set up the household's Spotify app before you can link your account.";
  return h("div", { class: "spotify-part spotify-account", "data-testid": "spotify-account" },
    h("h3", {}, "Your Spotify account"),
    h("p", { class: state === "reconnect" ? "error-text" : "meta", "data-testid": "spotify-link-state", "data-state": state }, words),
    state === "none" ? h("p", { class: "hint" },
      "Linking brings in your playlists, liked songs (starred here), recently played (into your history) and top items, and lets you play on your Spotify devices from here.") : null,
    account && canLink ? h("div", { class: "actions" }, connect, account.linked ? unlink : null)
      : account ? h("p", { class: "notice", "data-testid": "spotify-not-ready" }, notReady) : null,
    message,
    scopeList(setup));
}

// MARK: - Sync and the playlists

/** The answer of a sync, in words. */
function syncWords(result) {
  const parts = [];
  const lists = [];
  if (result.unchanged) lists.push(`${num(result.unchanged)} unchanged since the last sync`);
  if (result.unreadable) lists.push(`${num(result.unreadable)} Spotify does not let apps read`);
  parts.push(`${plural(result.playlists ?? 0, "playlist")}${lists.length ? ` (${lists.join("; ")})` : ""}`);
  parts.push(`${plural(result.entries ?? 0, "entry", "entries")} brought in, ${num(result.matched)} of them in the library`);
  parts.push(`${plural(result.liked ?? 0, "liked song")}, ${num(result.starred)} starred here`);
  parts.push(`${plural(result.recent ?? 0, "recent play")}, ${num(result.imported)} added to your history`);
  if (result.top != null) parts.push(`${plural(result.top, "top item")}`);
  return `Synced: ${parts.join("; ")}.`;
}

function syncPart(status, failure, connect, signal, afterSync) {
  const button = h("button", { type: "button", class: "primary", "data-testid": "spotify-sync" }, "Sync now");
  const progress = h("progress", { "aria-label": "Syncing with Spotify", "data-testid": "spotify-sync-progress" });
  const running = h("div", { class: "row spotify-progress", hidden: true }, progress, h("span", { class: "meta" }, "Syncing with Spotify…"));
  // Polite: "syncing", then what the sync brought in or why it failed.
  const result = h("p", { role: "status", class: "spotify-sync-result", "data-testid": "spotify-sync-result" });
  const last = h("p", { class: "meta", "data-testid": "spotify-synced-at" });
  const lists = h("div", { class: "spotify-playlists-body" });
  let runs = 0;

  const renderStatus = (current) => {
    if (!current) {
      last.textContent = failure ? `Could not read the last sync: ${failure.message}` : "";
      fill(lists);
      return;
    }
    last.textContent = !current.syncedAt ? "Not synced yet."
      : current.outcome === "failed" ? `The last sync, ${fmtDate(current.syncedAt)}, failed: ${current.message ?? "Spotify did not answer"}.`
      : `Last synced ${fmtDate(current.syncedAt)}.`;
    last.classList.toggle("error-text", current.outcome === "failed");
    const playlists = listOf(current.playlists);
    fill(lists,
      playlists.length ? playlistTable(playlists, connect) : current.syncedAt
        ? h("p", { class: "empty" }, "No playlists on Spotify.") : null,
      current.syncedAt ? h("p", { class: "meta", "data-testid": "spotify-liked" },
        `Liked songs: ${num(current.liked)}, ${num(current.likedMatched)} of them in the library (starred here).`) : null);
  };

  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-disabled") === "true") return;
    // aria-disabled, not disabled: the button keeps the keyboard focus while Spotify answers.
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Syncing…";
    running.hidden = false;
    result.dataset.state = "running";
    result.classList.remove("error-text");
    result.textContent = "Syncing with Spotify…";
    try {
      const answer = await api(`${BASE}/sync`, { method: "POST" });
      result.textContent = syncWords(answer ?? {});
      result.dataset.result = JSON.stringify(answer ?? {});
      result.dataset.state = "done";
    } catch (error) {
      result.textContent = `The sync failed: ${error.message}`;
      result.classList.add("error-text");
      result.dataset.state = "failed";
      announce(result.textContent, { error: true });
    } finally {
      result.dataset.run = String(++runs);
      running.hidden = true;
      button.removeAttribute("aria-disabled");
      button.textContent = "Sync now";
    }
    try {
      renderStatus(await api(`${BASE}/status`, { signal }));
    } catch (error) {
      if (error?.name !== "AbortError") last.textContent = `Could not read the playlists: ${error.message}`;
    }
    afterSync();
  });

  renderStatus(status);
  return h("div", { class: "spotify-part spotify-sync", "data-testid": "spotify-sync-part" },
    h("h3", {}, "Playlists and likes"),
    h("p", { class: "hint" }, "Your playlists, liked songs (starred here), recently played (added to your history) and top items come in every few hours. Tracks the library lacks show under Missing music."),
    h("div", { class: "actions" }, button, running),
    result, last, lists);
}

function playlistTable(playlists, connect) {
  return h("ul", { class: "spotify-playlists", "aria-label": "Your Spotify playlists", "data-testid": "spotify-playlists" },
    playlists.map((list) => {
      const whole = list.readable && list.tracks > 0 && list.matched >= list.tracks;
      return h("li", { class: "spotify-playlist", "data-testid": "spotify-playlist", "data-id": list.id,
        "data-readable": String(Boolean(list.readable)), "data-matched": list.matched, "data-tracks": list.tracks },
        h("div", { class: "col-title" },
          list.playlistId
            ? h("a", { class: "title", href: `#/playlist/${enc(list.playlistId)}`, "data-testid": "spotify-playlist-link",
              title: "The playlist in Canto" }, list.name)
            : h("span", { class: "title", "data-testid": "spotify-playlist-name" }, list.name),
          list.readable
            ? h("span", { class: "sub", "data-testid": "spotify-playlist-count" },
              `${num(list.matched)} of ${plural(list.tracks, "track")} in the library`
                + (list.tracks ? ` (${Math.round((100 * list.matched) / list.tracks)} %)` : ""))
            : h("span", { class: "sub", "data-testid": "spotify-playlist-unreadable" }, UNREADABLE)),
        h("div", { class: "row-actions" },
          list.readable ? h("a", { class: "button", href: `#/spotify/playlist/${enc(list.id)}`, "data-testid": "spotify-playlist-entries",
            "aria-label": `Entries of ${list.name}` }, "Entries") : null,
          connect && !whole ? h("button", { type: "button", "data-testid": "spotify-play-on-spotify", "aria-label": `Play ${list.name} on Spotify`,
            onclick: (event) => connect.playContext(`spotify:playlist:${list.id}`, list.name, event.currentTarget) }, "Play on Spotify") : null));
    }));
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
