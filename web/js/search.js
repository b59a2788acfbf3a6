// Search as you type in the top bar: an ARIA 1.2 combobox with a grouped listbox.
// ArrowDown/ArrowUp move through results, Enter opens (artists, albums) or plays (tracks),
// Escape closes; Enter with nothing selected opens the full results page.

import { api, coverUrl, enc, qs } from "./api.js";
import { $, clear, h } from "./dom.js";
import * as player from "./player.js";
import { parse } from "./router.js";

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

  const render = (query, result) => {
    clear(list);
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const addGroup = (name, items, build) => {
      if (!items?.length) return;
      const headingId = `search-group-${name.toLowerCase()}`;
      const group = h("div", { role: "group", "aria-labelledby": headingId, class: "search-group" },
        h("div", { role: "presentation", id: headingId, class: "search-group-head" }, name));
      for (const item of items) {
        const { label, sub, image, kind, activate: run } = build(item);
        const el = h("div", {
          role: "option", id: `search-option-${options.length}`, class: "search-option", "aria-selected": "false",
          "data-testid": "search-option", "data-kind": kind, "data-id": item.id ?? "",
        },
          image ? h("img", { src: image, alt: "", width: 40, height: 40, loading: "lazy", class: kind === "artist" ? "round" : "" }) : null,
          h("span", { class: "search-text" }, h("span", { class: "search-label" }, label), sub ? h("span", { class: "search-sub" }, sub) : null));
        const option = { el, activate: run };
        el.addEventListener("pointerdown", (event) => event.preventDefault()); // keep focus in the input
        el.addEventListener("click", () => activate(option));
        options.push(option);
        group.append(el);
      }
      list.append(group);
    };
    addGroup("Artists", result.artists, (artist) => ({
      kind: "artist", label: artist.name, sub: `${artist.albumCount ?? 0} albums`, image: coverUrl(artist.id, 80),
      activate: () => (location.hash = `#/artist/${enc(artist.id)}`),
    }));
    addGroup("Albums", result.albums, (album) => ({
      kind: "album", label: album.title, sub: [album.artist, album.year].filter(Boolean).join(" · "), image: coverUrl(album.id, 80),
      activate: () => (location.hash = `#/album/${enc(album.id)}`),
    }));
    addGroup("Tracks", result.tracks, (track) => ({
      kind: "track", label: track.title, sub: [track.artist, track.album].filter(Boolean).join(" · "), image: coverUrl(track.albumId ?? track.id, 80),
      activate: () => player.playTracks([track], 0),
    }));
    if (!options.length) {
      list.append(h("div", { role: "presentation", class: "search-empty" }, `No matches for “${query}”.`));
    }
    const all = h("div", { role: "option", id: `search-option-${options.length}`, class: "search-option search-all",
      "aria-selected": "false", "data-testid": "search-all", "data-kind": "all" }, `Show all results for “${query}”`);
    const allOption = { el: all, activate: () => showAll(query) };
    all.addEventListener("pointerdown", (event) => event.preventDefault());
    all.addEventListener("click", () => activate(allOption));
    options.push(allOption);
    list.append(all);
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
