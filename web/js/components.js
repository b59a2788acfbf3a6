// Music building blocks shared by the views: track rows and lists, album cards, artist rows,
// star and rating controls, "add to playlist", paged lists, and reorderable lists.

import { api, coverUrl, enc, listOf } from "./api.js";
import { $$, fmtMs, h, icon, plural, setIcon } from "./dom.js";
import * as player from "./player.js";
import * as remote from "./remote.js";
import { announce, announceError, attempt, closeMenu, menuButton, openDialog, openMenu } from "./ui.js";

// MARK: - Loading tracks of albums

export async function albumTracks(albumId) {
  const detail = await api(`/albums/${enc(albumId)}`);
  return detail.discs.flatMap((disc) => disc.tracks);
}

/** mode: "play" | "shuffle" | "next" | "queue" */
export async function queueAlbum(albumId, mode = "play") {
  const list = await attempt(() => albumTracks(albumId), "Loading the album");
  if (list) queueTracks(list, mode);
}

export function queueTracks(list, mode = "play", start = 0) {
  if (!list.length) {
    announce("Nothing to play here.");
    return;
  }
  if (mode === "play") player.playTracks(list, start);
  else if (mode === "shuffle") player.playTracks(list, 0, { shuffle: true });
  else if (mode === "next") player.playNext(list);
  else player.addToQueue(list);
}

/**
 * The usual play / shuffle / play next / add to queue / add to playlist buttons; with `radio`
 * ({ seedType, seed }), a Radio button too (an endless queue of what sounds and goes like it).
 */
export function playActions(getTracks, { label = "", testPrefix = "list", radio = null } = {}) {
  const run = (mode) => async () => {
    const list = await attempt(getTracks, "Loading tracks");
    if (list) queueTracks(list, mode);
  };
  return h("div", { class: "actions" },
    h("button", { type: "button", class: "primary", "data-testid": `${testPrefix}-play`, onclick: run("play") }, icon("play"), "Play"),
    h("button", { type: "button", "data-testid": `${testPrefix}-shuffle`, onclick: run("shuffle") }, icon("shuffle"), "Shuffle"),
    h("button", { type: "button", "data-testid": `${testPrefix}-play-next`, onclick: run("next") }, icon("playNext"), "Play next"),
    h("button", { type: "button", "data-testid": `${testPrefix}-queue-add`, onclick: run("queue") }, icon("queue"), "Add to queue"),
    h("button", { type: "button", "data-testid": `${testPrefix}-playlist-add`, onclick: async () => {
      const list = await attempt(getTracks, "Loading tracks");
      if (list) addToPlaylistDialog(list.map((t) => t.id), label);
    } }, icon("listAdd"), "Add to playlist…"),
    radio ? h("button", { type: "button", "data-testid": `${testPrefix}-radio`,
      onclick: () => attempt(() => player.startRadio(radio.seedType, radio.seed, `like ${label}`), "Starting the radio") },
      icon("radio"), "Radio") : null,
    playOnButton(getTracks, `${testPrefix}-play-on`),
    queueOnButton(getTracks, `${testPrefix}-queue-on`));
}

/**
 * "Play on…": a menu of the listener's other web players (their Devices); the one chosen
 * replaces its queue with these tracks and plays them.
 */
export function playOnButton(getTracks, testid = "play-on") {
  return deviceMenuButton(getTracks, {
    testid, label: "Play on…", title: "Play these on another of your devices", itemTestid: "play-on-device",
    command: (ids) => ({ action: "load", trackIds: ids, index: 0, positionMs: 0, play: true }),
    doing: (name) => `Sending to ${name}`, done: (name) => `Playing on ${name}.`,
  });
}

/** "Add to queue on…": as "Play on…", but the tracks go to the end of the chosen player's queue. */
export function queueOnButton(getTracks, testid = "queue-on") {
  return deviceMenuButton(getTracks, {
    testid, label: "Add to queue on…", title: "Add these to the queue of another of your devices", itemTestid: "queue-on-device",
    command: (ids) => ({ action: "enqueue", trackIds: ids }),
    doing: (name) => `Adding to the queue on ${name}`, done: (name) => `Added to the queue on ${name}.`,
  });
}

function deviceMenuButton(getTracks, { testid, label, title, itemTestid, command, doing, done }) {
  const button = h("button", { type: "button", "data-testid": testid, "aria-haspopup": "menu", "aria-expanded": "false", title },
    icon("devices"), label);
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-expanded") === "true") {
      closeMenu(true);
      return;
    }
    const others = remote.sessions().filter((session) => session.kind === "web" && session.id !== remote.id());
    const items = others.map((session) => ({
      label: session.name || "Another device", icon: "devices", testid: itemTestid,
      action: async () => {
        const list = await attempt(getTracks, "Loading tracks");
        if (!list?.length) return;
        const name = session.name || "another device";
        const sent = await attempt(() => remote.send(session.id, command(list.map((t) => t.id))), doing(name));
        if (sent !== undefined) announce(done(name));
      },
    }));
    if (!items.length) {
      items.push({ label: "No other device is open: see Devices", icon: "devices", testid: "play-on-none",
        action: () => { location.hash = "#/devices"; } });
    }
    openMenu(button, items);
  });
  return button;
}

/** A Radio button for a genre (an endless queue of it and what goes with it); compact: icon only. */
export function genreRadioButton(genre, { compact = false } = {}) {
  return h("button", {
    type: "button", class: compact ? "icon-btn" : null, "data-testid": "genre-radio", title: `${genre} radio`,
    "aria-label": compact ? `Start a ${genre} radio` : null,
    onclick: () => attempt(() => player.startRadio("genre", genre, genre), "Starting the radio"),
  }, icon("radio"), compact ? null : "Radio");
}

// MARK: - Star and rating

/** A star toggle (aria-pressed) for a track, album or artist; item.starred is kept current. */
export function starButton(kind, item, name = item.title ?? item.name) {
  const button = h("button", { type: "button", class: "icon-btn star", "data-testid": "star", title: "Star" });
  const render = () => {
    button.setAttribute("aria-pressed", item.starred ? "true" : "false");
    button.setAttribute("aria-label", `Star ${name}`);
    setIcon(button, item.starred ? "star" : "starOutline");
  };
  render();
  button.addEventListener("click", async () => {
    const wanted = !item.starred;
    item.starred = wanted;
    render();
    try {
      const result = await api(`/me/annotations/${enc(item.id)}`, { method: "PUT", body: { kind, starred: wanted } });
      item.starred = result?.starred ?? wanted;
      render();
      announce(item.starred ? `Starred ${name}.` : `Unstarred ${name}.`);
    } catch (error) {
      item.starred = !wanted;
      render();
      announceError(error, "Starring");
    }
  });
  return button;
}

/** Five radio-like star buttons (roving tabindex, arrow keys); choosing the set value clears it. */
export function ratingControl(kind, item, name = item.title ?? item.name) {
  const group = h("div", { class: "rating", role: "radiogroup", "aria-label": `Rating for ${name}`, "data-testid": "rating" });
  const buttons = [1, 2, 3, 4, 5].map((value) =>
    h("button", { type: "button", role: "radio", class: "rating-star", "aria-label": plural(value, "star"), dataset: { value } }));
  group.append(...buttons);
  const render = () => {
    const rating = item.rating ?? 0;
    buttons.forEach((button, i) => {
      const value = i + 1;
      button.setAttribute("aria-checked", value === rating ? "true" : "false");
      button.tabIndex = value === (rating || 1) ? 0 : -1;
      button.classList.toggle("on", value <= rating);
      setIcon(button, value <= rating ? "star" : "starOutline");
    });
  };
  let saveTimer;
  const set = (value, focus) => {
    const previous = item.rating ?? 0;
    item.rating = value || null;
    render();
    if (focus) buttons[Math.max(0, value - 1)].focus();
    clearTimeout(saveTimer);
    saveTimer = setTimeout(async () => {
      try {
        const result = await api(`/me/annotations/${enc(item.id)}`, { method: "PUT", body: { kind, rating: value } });
        item.rating = result?.rating ?? (value || null);
        render();
        announce(value ? `Rated ${name} ${plural(value, "star")}.` : `Cleared the rating of ${name}.`);
      } catch (error) {
        item.rating = previous || null;
        render();
        announceError(error, "Rating");
      }
    }, 350);
  };
  buttons.forEach((button, i) => {
    button.addEventListener("click", () => set((item.rating ?? 0) === i + 1 ? 0 : i + 1, true));
  });
  group.addEventListener("keydown", (event) => {
    const rating = item.rating ?? 0;
    let value = null;
    if (event.key === "ArrowRight" || event.key === "ArrowUp") value = Math.min(5, rating + 1);
    else if (event.key === "ArrowLeft" || event.key === "ArrowDown") value = Math.max(0, rating - 1);
    else if (event.key === "Home") value = 1;
    else if (event.key === "End") value = 5;
    else if (event.key === "0" || event.key === "Delete" || event.key === "Backspace") value = 0;
    else if (/^[1-5]$/.test(event.key)) value = Number(event.key);
    if (value == null) return;
    event.preventDefault();
    set(value, true);
  });
  render();
  return group;
}

// MARK: - Track rows

/**
 * A track row, saying why it was picked when it is a recommendation (track.reason). options:
 * number (shown in the first column), showAlbum, onPlay (play button), extraItems (more menu
 * entries), actions (extra nodes before the menu), rating (default true).
 */
export function trackRow(track, options = {}) {
  const { number, showAlbum = true, showArtist = true, onPlay, extraItems = [], actions = [], rating = true, tag = "li" } = options;
  const play = onPlay ?? (() => player.playTracks([track], 0));
  const current = player.current()?.id === track.id;
  const sub = [];
  if (showArtist && track.artist) {
    sub.push(track.artistId ? h("a", { href: `#/artist/${enc(track.artistId)}` }, track.artist) : track.artist);
  }
  if (showAlbum && track.album) {
    if (sub.length) sub.push(" · ");
    sub.push(h("a", { href: `#/album/${enc(track.albumId)}` }, track.album));
  }
  return h(tag, { class: "track-row" + (current ? " playing" : ""), "data-testid": "track-row", "data-track-id": track.id },
    h("span", { class: "col-num", "aria-hidden": "true" }, number ?? ""),
    h("button", { type: "button", class: "icon-btn play-btn", "data-testid": "play-button", "aria-label": `Play ${track.title}`, title: "Play", onclick: play }, icon("play")),
    h("div", { class: "col-title" },
      h("span", { class: "title", "data-testid": "track-title" }, track.title),
      sub.length ? h("span", { class: "sub" }, sub) : null,
      track.reason ? h("span", { class: "reason", "data-testid": "track-reason" }, track.reason) : null),
    h("span", { class: "col-dur" }, fmtMs(track.durationMs)),
    starButton("track", track),
    rating ? ratingControl("track", track) : null,
    actions,
    h("button", { type: "button", class: "icon-btn", "data-testid": "queue-add", "aria-label": `Add ${track.title} to queue`, title: "Add to queue",
      onclick: () => player.addToQueue([track]) }, icon("plus")),
    menuButton(`More actions for ${track.title}`, () => trackMenuItems(track, extraItems)));
}

export function trackMenuItems(track, extraItems = []) {
  return [
    { label: "Play next", icon: "playNext", testid: "menu-play-next", action: () => player.playNext([track]) },
    { label: "Add to queue", icon: "queue", testid: "menu-queue-add", action: () => player.addToQueue([track]) },
    { label: "Add to playlist…", icon: "listAdd", testid: "menu-playlist-add", action: () => addToPlaylistDialog([track.id], track.title) },
    { label: "Start radio", icon: "radio", testid: "menu-radio", action: () => player.startRadio("track", track.id, `like “${track.title}”`, [track]) },
    { label: "Instant mix", icon: "shuffle", testid: "menu-instant-mix", action: () => attempt(() => player.instantMix(track), "Making the mix") },
    track.albumId ? { label: "Go to album", testid: "menu-album", action: () => (location.hash = `#/album/${enc(track.albumId)}`) } : null,
    track.artistId ? { label: "Go to artist", testid: "menu-artist", action: () => (location.hash = `#/artist/${enc(track.artistId)}`) } : null,
    ...extraItems,
  ];
}

const CHUNK = 200;

/**
 * An <ol> of track rows; long lists render in chunks of 200 as you scroll (or press "Show more").
 * options: everything trackRow takes, plus numbering ("track" | "index" | "none"), signal, label,
 * empty, and playAt(i) (default: play the whole list from row i).
 */
export function trackList(list, options = {}) {
  const { numbering = "index", signal, label } = options;
  const playAt = options.playAt ?? ((i) => player.playTracks(list, i));
  const ol = h("ol", { class: "track-list", "aria-label": label });
  const wrap = h("div", { class: "track-list-wrap" }, ol);
  let shown = 0;
  const more = h("button", { type: "button", class: "more-btn", "data-testid": "load-more" });
  const renderChunk = () => {
    const end = Math.min(list.length, shown + CHUNK);
    for (let i = shown; i < end; i++) {
      const track = list[i];
      const number = numbering === "track" ? track.trackNumber ?? "" : numbering === "index" ? i + 1 : "";
      ol.append(trackRow(track, { ...options, number, onPlay: () => playAt(i) }));
    }
    shown = end;
    more.hidden = shown >= list.length;
    more.textContent = `Show more (${list.length - shown} left)`;
  };
  more.addEventListener("click", renderChunk);
  renderChunk();
  if (list.length > CHUNK) {
    wrap.append(more);
    autoLoad(more, () => { if (!more.hidden) renderChunk(); }, signal);
  }
  if (!list.length) wrap.append(h("p", { class: "empty" }, options.empty ?? "No tracks."));
  return wrap;
}

/** Marks the rows of the playing track (called when the track changes). */
export function markPlaying(root = document) {
  const id = player.current()?.id;
  for (const row of $$(".track-row", root)) row.classList.toggle("playing", id != null && row.dataset.trackId === id);
}

// MARK: - Albums and artists

export function albumCard(album) {
  const href = `#/album/${enc(album.id)}`;
  return h("li", { class: "card", "data-testid": "album-card", "data-album-id": album.id },
    h("div", { class: "card-art" },
      h("a", { href, tabindex: "-1", "aria-hidden": "true" },
        h("img", { class: "cover", src: coverUrl(album.coverArt ?? album.id, 300), loading: "lazy", decoding: "async", alt: "", width: 300, height: 300 })),
      h("button", { type: "button", class: "icon-btn card-play", "aria-label": `Play ${album.title}`, title: "Play",
        "data-testid": "album-card-play", onclick: () => queueAlbum(album.id, "play") }, icon("play"))),
    h("a", { href, class: "card-title", "data-testid": "album-link" }, album.title),
    album.artistId
      ? h("a", { href: `#/artist/${enc(album.artistId)}`, class: "card-sub" }, album.artist)
      : h("span", { class: "card-sub" }, album.artist),
    album.year ? h("span", { class: "card-meta" }, String(album.year)) : null);
}

export function albumGrid(albums) {
  return h("ul", { class: "grid", "data-testid": "album-grid" }, albums.map(albumCard));
}

export function artistRow(artist) {
  return h("li", { class: "artist-row", "data-testid": "artist-row", "data-artist-id": artist.id },
    h("img", { class: "avatar", src: coverUrl(artist.id, 100), loading: "lazy", decoding: "async", alt: "", width: 48, height: 48 }),
    h("a", { href: `#/artist/${enc(artist.id)}`, class: "artist-name" }, artist.name),
    h("span", { class: "meta" }, `${plural(artist.albumCount ?? 0, "album")} · ${plural(artist.trackCount ?? 0, "track")}`),
    starButton("artist", artist));
}

// MARK: - Paged lists

/** Calls load when sentinel scrolls into view (infinite scroll); stops with signal. */
export function autoLoad(sentinel, load, signal) {
  if (!("IntersectionObserver" in window)) return;
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) load();
  }, { rootMargin: "600px 0px" });
  observer.observe(sentinel);
  signal?.addEventListener("abort", () => observer.disconnect());
}

/**
 * A list filled page by page: fetchPage(offset) → {items, more}; render(items) → nodes appended
 * to container. A "Load more" button (also triggered by scrolling near it) fetches the next page.
 */
export function pager({ container, fetchPage, render, signal, empty = "Nothing here yet." }) {
  let offset = 0;
  let busy = false;
  let done = false;
  const button = h("button", { type: "button", class: "more-btn", "data-testid": "load-more", hidden: true }, "Load more");
  const status = h("p", { class: "empty", hidden: true });
  const loadMore = async () => {
    if (busy || done || signal?.aborted) return;
    busy = true;
    button.disabled = true;
    button.textContent = "Loading…";
    container.setAttribute("aria-busy", "true");
    try {
      const page = await fetchPage(offset);
      if (signal?.aborted) return;
      const items = listOf(page);
      offset += items.length;
      done = !page.more || items.length === 0;
      const nodes = render(items);
      container.append(...(Array.isArray(nodes) ? nodes : [nodes]));
      if (offset === 0) {
        status.textContent = empty;
        status.hidden = false;
      }
    } catch (error) {
      announceError(error, "Loading");
      status.textContent = `Could not load: ${error.message}`;
      status.hidden = false;
    } finally {
      busy = false;
      button.disabled = false;
      button.textContent = "Load more";
      button.hidden = done;
      container.removeAttribute("aria-busy");
    }
  };
  button.addEventListener("click", loadMore);
  autoLoad(button, loadMore, signal);
  loadMore();
  return h("div", { class: "pager" }, status, button);
}

// MARK: - Add to playlist

/** A dialog listing the user's playlists; adds trackIds to the chosen one, or to a new one. */
export async function addToPlaylistDialog(trackIds, label = "") {
  if (!trackIds.length) return;
  const playlists = await attempt(() => api("/playlists"), "Loading playlists");
  if (!playlists) return;
  // A smart playlist's tracks follow its rules: it takes none by hand.
  const editable = listOf(playlists).filter((p) => p.editable !== false && !p.smart);
  const what = label ? `“${label}”` : plural(trackIds.length, "track");
  const nameInput = h("input", { name: "name", required: true, maxlength: 200, "data-testid": "playlist-dialog-name", autocomplete: "off" });
  let close = () => {};
  const choose = async (playlist) => {
    try {
      await api(`/playlists/${enc(playlist.id)}/tracks`, { method: "POST", body: { trackIds } });
      announce(`Added ${what} to ${playlist.name}.`);
      close();
    } catch (error) {
      announceError(error, "Adding to the playlist");
    }
  };
  const form = h("form", { class: "inline-form", onsubmit: async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    try {
      const created = await api("/playlists", { method: "POST", body: { name, trackIds } });
      announce(`Created ${created.name} with ${what}.`);
      close();
    } catch (error) {
      announceError(error, "Creating the playlist");
    }
  } },
    h("label", {}, "New playlist", nameInput),
    h("button", { type: "submit", "data-testid": "playlist-dialog-create" }, "Create and add"));
  const list = editable.length
    ? h("ul", { class: "choice-list" }, editable.map((p) =>
        h("li", {}, h("button", { type: "button", "data-testid": "playlist-choice", "data-playlist-id": p.id, onclick: () => choose(p) },
          icon("listAdd"), p.name, h("span", { class: "meta" }, ` ${plural(p.trackCount ?? 0, "track")}`)))))
    : h("p", { class: "empty" }, "You have no playlists yet.");
  ({ close } = openDialog({ title: `Add ${what} to a playlist`, testid: "playlist-dialog", body: [list, form] }));
  (editable.length ? list.querySelector("button") : nameInput).focus();
}

// MARK: - Reorderable lists (queue, playlists)

/**
 * Drag and drop (HTML5) plus keyboard (Alt+ArrowUp/Down on a focused row, and the move
 * buttons) for an <ol> whose rows carry data-index. onMove(from, to) does the work and
 * re-renders; focusRow(index) is then called so keyboard users keep their place.
 */
export function makeSortable(list, { onMove, onRemove, label = "item" }) {
  let dragFrom = null;
  const rowOf = (node) => node?.closest?.("[data-index]");
  const indexOf = (row) => Number(row.dataset.index);

  list.addEventListener("dragstart", (event) => {
    const row = rowOf(event.target);
    if (!row) return;
    dragFrom = indexOf(row);
    row.classList.add("dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(dragFrom));
    }
  });
  const dropTarget = (event) => {
    const row = rowOf(event.target);
    if (!row) return null;
    const rect = row.getBoundingClientRect();
    const after = event.clientY > rect.top + rect.height / 2;
    return { row, after };
  };
  const clearMarks = () => {
    for (const row of list.querySelectorAll(".drop-before, .drop-after, .dragging")) {
      row.classList.remove("drop-before", "drop-after", "dragging");
    }
  };
  list.addEventListener("dragover", (event) => {
    const target = dropTarget(event);
    if (!target) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
    for (const row of list.querySelectorAll(".drop-before, .drop-after")) row.classList.remove("drop-before", "drop-after");
    target.row.classList.add(target.after ? "drop-after" : "drop-before");
  });
  list.addEventListener("dragleave", (event) => {
    if (!list.contains(event.relatedTarget)) {
      for (const row of list.querySelectorAll(".drop-before, .drop-after")) row.classList.remove("drop-before", "drop-after");
    }
  });
  list.addEventListener("drop", (event) => {
    const target = dropTarget(event);
    event.preventDefault();
    let from = dragFrom;
    if (from == null && event.dataTransfer) from = Number(event.dataTransfer.getData("text/plain"));
    clearMarks();
    dragFrom = null;
    if (!target || from == null || Number.isNaN(from)) return;
    let to = indexOf(target.row) + (target.after ? 1 : 0);
    if (from < to) to -= 1;
    if (to !== from) onMove(from, to, "drag");
  });
  list.addEventListener("dragend", () => {
    clearMarks();
    dragFrom = null;
  });
  list.addEventListener("keydown", (event) => {
    const row = rowOf(event.target);
    if (!row || event.target !== row) return;
    const i = indexOf(row);
    if (event.altKey && event.key === "ArrowUp") onMove(i, i - 1, "key");
    else if (event.altKey && event.key === "ArrowDown") onMove(i, i + 1, "key");
    else if (event.key === "ArrowUp") row.previousElementSibling?.focus();
    else if (event.key === "ArrowDown") row.nextElementSibling?.focus();
    else if ((event.key === "Delete" || event.key === "Backspace") && onRemove) onRemove(i);
    else return;
    event.preventDefault();
  });
}

/** Move up/down (+ remove) buttons of a sortable row; test ids are `${prefix}-move-up` etc. */
export function sortControls(i, count, name, { onMove, onRemove, prefix }) {
  return [
    h("button", { type: "button", class: "icon-btn", "data-testid": `${prefix}-move-up`, "data-move": "up", "aria-label": `Move ${name} up`,
      title: "Move up", disabled: i === 0, onclick: () => onMove(i, i - 1, "up") }, icon("up")),
    h("button", { type: "button", class: "icon-btn", "data-testid": `${prefix}-move-down`, "data-move": "down", "aria-label": `Move ${name} down`,
      title: "Move down", disabled: i === count - 1, onclick: () => onMove(i, i + 1, "down") }, icon("down")),
    onRemove ? h("button", { type: "button", class: "icon-btn", "data-testid": `${prefix}-remove`, "aria-label": `Remove ${name}`, title: "Remove",
      onclick: () => onRemove(i) }, icon("trash")) : null,
  ];
}

/** Focuses the row at index after a re-render, so keyboard users keep their place. */
export function focusRow(list, index, via) {
  const row = list.querySelector(`[data-index="${index}"]`);
  if (!row) return;
  if (via === "up" || via === "down") {
    const other = via === "up" ? "down" : "up";
    const button = row.querySelector(`[data-move="${via}"]:not(:disabled)`) ?? row.querySelector(`[data-move="${other}"]:not(:disabled)`);
    (button ?? row).focus();
  } else if (via === "key") {
    row.focus();
  }
}

export const label = (track) => `${track.title}${track.artist ? " by " + track.artist : ""}`;
