// Albums: a grid of covers (lazy), sorted and filtered by genre (with the genre's radio), paged as you scroll.

import { api, listOf, qs } from "../api.js";
import { albumCard, genreRadioButton, pager } from "../components.js";
import { append, fill, h } from "../dom.js";
import { setQuery } from "../router.js";

const SORTS = [
  ["name", "Name"], ["artist", "Artist"], ["newest", "Newest"], ["year", "Year"], ["random", "Random"],
  ["recent", "Recently played"], ["frequent", "Most played"], ["highest", "Highest rated"], ["starred", "Starred"],
];
const PAGE = 60;

export default async function albumsView(view, { query, signal }) {
  let sort = query.get("sort") ?? "name";
  if (!SORTS.some(([value]) => value === sort)) sort = "name";
  let genre = query.get("genre") ?? "";

  const sortSelect = h("select", { id: "albums-sort", "data-testid": "albums-sort", value: sort },
    SORTS.map(([value, label]) => h("option", { value }, label)));
  const genreSelect = h("select", { id: "albums-genre", "data-testid": "albums-genre" },
    h("option", { value: "" }, "All genres"));
  if (genre) genreSelect.append(h("option", { value: genre }, genre));
  genreSelect.value = genre;
  const title = h("h1", {}, genre ? `${genre} albums` : "Albums");
  const radio = h("span");
  const grid = h("ul", { class: "grid", "data-testid": "album-grid", "aria-label": "Albums" });
  const holder = h("div");

  append(view, 
    h("div", { class: "page-head" }, h("div", { class: "row" }, title, radio),
      h("div", { class: "toolbar" },
        h("label", { for: "albums-sort" }, "Sort"), sortSelect,
        h("label", { for: "albums-genre" }, "Genre"), genreSelect)),
    grid, holder);

  // Each filter change restarts the list (with its own abort signal for the scroll observer).
  let listController = null;
  const load = () => {
    listController?.abort();
    listController = new AbortController();
    signal.addEventListener("abort", () => listController.abort(), { once: true });
    grid.replaceChildren();
    title.textContent = genre ? `${genre} albums` : "Albums";
    fill(radio, genre ? genreRadioButton(genre) : null);
    holder.replaceChildren(pager({
      container: grid,
      signal: listController.signal,
      empty: genre ? `No albums in ${genre}.` : "No albums yet. An admin can add a library and start a scan.",
      fetchPage: (offset) => api(`/albums${qs({ sort, genre, offset, limit: PAGE })}`, { signal: listController.signal }),
      render: (items) => items.map(albumCard),
    }));
  };
  sortSelect.addEventListener("change", () => {
    sort = sortSelect.value;
    setQuery({ sort: sort === "name" ? "" : sort });
    load();
  });
  genreSelect.addEventListener("change", () => {
    genre = genreSelect.value;
    setQuery({ genre });
    load();
  });
  load();

  // Fill the genre choices without holding up the grid.
  api("/genres", { signal }).then((genres) => {
    for (const g of listOf(genres)) {
      if (g.name !== genre) genreSelect.append(h("option", { value: g.name }, `${g.name} (${g.albumCount ?? 0})`));
    }
    genreSelect.value = genre;
  }).catch(() => {});
}
