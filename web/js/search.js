// Search as you type in the top bar: an ARIA 1.2 combobox with a listbox grouped by kind
// (artists, albums, tracks, composers, genres, playlists; a group shows only when it has results).
// ArrowDown/ArrowUp move through every group's options, Enter opens (artists, albums, composers,
// genres, playlists) or plays (tracks), Escape closes; Enter with nothing selected opens the full
// results page. When nothing matched as typed, "Did you mean …?" offers the server's correction.

import { api, coverUrl, enc, qs } from "./api.js";
import { $, clear, h, icon, plural } from "./dom.js";
import * as player from "./player.js";
import { parse } from "./router.js";
import { session } from "./session.js";

/** The query syntax the server understands, shown under the results and as the box's tooltip. */
const SYNTAX = 'artist:  album:  genre:  year:1990-1999  "phrase"  -word';

export function initSearch() {
  const box = $("#search");
  const input = $("#search-input");
  const popup = $("#search-popup");
  const list = $("#search-results");
  let options = []; // [{el, activate}]
  let active = -1;
  let timer = null;
  let sequence = 0;
  let controller = null;
  let lastQuery = "";

  const hint = h("p", { id: "search-hint", class: "search-hint", "data-testid": "search-hint" },
    h("span", { class: "visually-hidden" }, "Search syntax: "), SYNTAX);
  hint.addEventListener("pointerdown", (event) => event.preventDefault()); // keep focus (and the popup) in place
  popup.append(hint);
  input.title = `Search syntax: ${SYNTAX}`;
  input.setAttribute("aria-describedby", "search-hint");

  const open = () => {
    if (!options.length && !list.childElementCount) return;
    popup.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const close = () => {
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  };
  const setActive = (index) => {
    options[active]?.el.setAttribute("aria-selected", "false");
    options[active]?.el.classList.remove("active");
    active = index;
    const option = options[active];
    if (option) {
      option.el.setAttribute("aria-selected", "true");
      option.el.classList.add("active");
      input.setAttribute("aria-activedescendant", option.el.id);
      option.el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const activate = (option) => {
    close();
    option.activate();
  };
  const showAll = (query) => {
    close();
    location.hash = `#/search${qs({ q: query })}`;
  };

  const addOption = (el, run) => {
    const option = { el, activate: run };
    el.id = `search-option-${options.length}`;
    el.addEventListener("pointerdown", (event) => event.preventDefault()); // keep focus in the input
    el.addEventListener("click", () => activate(option));
    options.push(option);
    return el;
  };

  /** Puts the corrected text in the box and searches it. */
  const searchInstead = (text) => {
    clearTimeout(timer);
    input.value = text;
    input.focus();
    run(text);
  };

  const render = (query, result) => {
    clear(list);
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const suggestion = typeof result.didYouMean === "string" ? result.didYouMean.trim() : "";
    if (suggestion && suggestion.toLocaleLowerCase() !== query.toLocaleLowerCase()) {
      list.append(addOption(
        h("div", {
          role: "option", class: "search-option search-didyoumean", "aria-selected": "false",
          "data-testid": "search-didyoumean", "data-kind": "suggestion", "data-query": suggestion,
        }, "Did you mean ", h("a", { class: "search-suggestion", "data-testid": "search-didyoumean-link" }, suggestion), "?"),
        () => searchInstead(suggestion)));
    }
    const addGroup = (name, items, build) => {
      if (!Array.isArray(items) || !items.length) return;
      const headingId = `search-group-${name.toLowerCase()}`;
      const group = h("div", {
        role: "group", "aria-labelledby": headingId, class: "search-group", "data-testid": "search-group",
        "data-group": name.toLowerCase(),
      }, h("div", { role: "presentation", id: headingId, class: "search-group-head" }, name));
      for (const item of items) {
        const { label, sub, image, tile, kind, id, activate: go } = build(item);
        const el = h("div", {
          role: "option", class: "search-option", "aria-selected": "false",
          "data-testid": "search-option", "data-kind": kind, "data-id": id ?? item.id ?? "",
        },
          image ? h("img", { src: image, alt: "", width: 40, height: 40, loading: "lazy", class: kind === "artist" || kind === "composer" ? "round" : "" }) : null,
          tile ? h("span", { class: "search-tile", "aria-hidden": "true" }, icon(tile)) : null,
          h("span", { class: "search-text" }, h("span", { class: "search-label" }, label), sub ? h("span", { class: "search-sub" }, sub) : null));
        group.append(addOption(el, go));
      }
      list.append(group);
    };
    const openArtist = (artist) => () => (location.hash = `#/artist/${enc(artist.id)}`);
    const artistSub = (artist) =>
      artist.albumCount || !artist.trackCount ? plural(artist.albumCount ?? 0, "album") : plural(artist.trackCount, "track");
    // Someone found both as an artist and as a composer is listed once: among the composers when
    // they have no album of their own, else among the artists.
    const composers = Array.isArray(result.composers) ? result.composers : [];
    const composerIds = new Set(composers.map((artist) => artist.id));
    const artists = (Array.isArray(result.artists) ? result.artists : [])
      .filter((artist) => !(composerIds.has(artist.id) && !artist.albumCount));
    const artistIds = new Set(artists.map((artist) => artist.id));
    addGroup("Artists", artists, (artist) => ({
      kind: "artist", label: artist.name, sub: artistSub(artist), image: coverUrl(artist.id, 80),
      activate: openArtist(artist),
    }));
    addGroup("Albums", result.albums, (album) => ({
      kind: "album", label: album.title, sub: [album.artist, album.year].filter(Boolean).join(" · "), image: coverUrl(album.coverArt ?? album.id, 80),
      activate: () => (location.hash = `#/album/${enc(album.id)}`),
    }));
    addGroup("Tracks", result.tracks, (track) => ({
      kind: "track", label: track.title, sub: [track.artist, track.album].filter(Boolean).join(" · "), image: coverUrl(track.coverArt ?? track.albumId ?? track.id, 80),
      activate: () => player.playTracks([track], 0),
    }));
    addGroup("Composers", composers.filter((artist) => !artistIds.has(artist.id)), (artist) => ({
      kind: "composer", label: artist.name, image: coverUrl(artist.id, 80),
      sub: ["Composer", artist.trackCount ? plural(artist.trackCount, "track") : null].filter(Boolean).join(" · "),
      activate: openArtist(artist),
    }));
    addGroup("Genres", result.genres, (genre) => ({
      kind: "genre", id: genre.name, label: genre.name, tile: "note",
      sub: `${plural(genre.albumCount ?? 0, "album")} · ${plural(genre.trackCount ?? 0, "track")}`,
      activate: () => (location.hash = `#/albums${qs({ genre: genre.name })}`),
    }));
    addGroup("Playlists", result.playlists, (playlist) => ({
      kind: "playlist", label: playlist.name, tile: "queue",
      sub: [plural(playlist.trackCount ?? 0, "track"),
        session.me?.id && playlist.ownerId !== session.me.id ? "shared" : playlist.public ? "public" : null].filter(Boolean).join(" · "),
      activate: () => (location.hash = `#/playlist/${enc(playlist.id)}`),
    }));
    if (!list.querySelector('[role="group"]')) {
      list.append(h("div", { role: "presentation", class: "search-empty", "data-testid": "search-empty" }, `No matches for “${query}”.`));
    }
    list.append(addOption(
      h("div", { role: "option", class: "search-option search-all", "aria-selected": "false", "data-testid": "search-all", "data-kind": "all" },
        `Show all results for “${query}”`),
      () => showAll(query)));
    open();
  };

  const run = async (query) => {
    const mine = ++sequence;
    controller?.abort();
    controller = new AbortController();
    box.setAttribute("aria-busy", "true");
    try {
      const result = await api(`/search${qs({ q: query, limit: 8 })}`, { signal: controller.signal });
      if (mine !== sequence) return;
      lastQuery = query;
      render(query, result ?? {});
    } catch (error) {
      if (error.name === "AbortError" || mine !== sequence) return;
      clear(list);
      options = [];
      list.append(h("div", { role: "presentation", class: "search-empty error-text" }, `Search failed: ${error.message}`));
      open();
    } finally {
      if (mine === sequence) box.removeAttribute("aria-busy");
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (!query) {
      sequence++;
      controller?.abort();
      clear(list);
      options = [];
      close();
      return;
    }
    timer = setTimeout(() => run(query), 150);
  });

  input.addEventListener("keydown", (event) => {
    const query = input.value.trim();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      if (popup.hidden) open();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = active < 0 ? (step > 0 ? 0 : options.length - 1) : (active + step + options.length) % options.length;
      setActive(next);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!popup.hidden && options[active]) activate(options[active]);
      else if (query) showAll(query);
    } else if (event.key === "Escape") {
      if (!popup.hidden) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    }
  });

  input.addEventListener("focus", () => {
    if (input.value.trim() && input.value.trim() === lastQuery && options.length) open();
  });
  box.addEventListener("focusout", (event) => {
    if (!box.contains(event.relatedTarget)) close();
  });

  // Keep the box in step with the search page's URL.
  window.addEventListener("hashchange", () => {
    const { path, query } = parse();
    if (path === "/search" && document.activeElement !== input) input.value = query.get("q") ?? "";
  });
}
