// Genres: every genre with its counts; each opens the albums of that genre, or starts its radio.

import { api, listOf, qs } from "../api.js";
import { genreRadioButton } from "../components.js";
import { append, h, plural } from "../dom.js";

export default async function genresView(view, { signal }) {
  const genres = listOf(await api("/genres", { signal }));
  const input = h("input", { id: "genres-filter", type: "search", autocomplete: "off", placeholder: "Filter genres", "data-testid": "genres-filter" });
  const list = h("ul", { class: "genre-list", "aria-label": "Genres", "data-testid": "genre-list" });
  const render = () => {
    const needle = input.value.trim().toLocaleLowerCase();
    const shown = needle ? genres.filter((g) => g.name.toLocaleLowerCase().includes(needle)) : genres;
    list.replaceChildren(...shown.map((genre) =>
      h("li", { class: "genre-item", "data-genre": genre.name },
        h("a", { href: `#/albums${qs({ genre: genre.name })}`, class: "genre", "data-testid": "genre-link" },
          h("span", { class: "genre-name" }, genre.name),
          h("span", { class: "meta" }, `${plural(genre.albumCount ?? 0, "album")} · ${plural(genre.trackCount ?? 0, "track")}`)),
        genreRadioButton(genre.name, { compact: true }))));
    if (!shown.length) list.append(h("li", { class: "empty" }, genres.length ? "No genre matches." : "No genres yet."));
  };
  input.addEventListener("input", render);
  append(view, 
    h("div", { class: "page-head" }, h("h1", {}, "Genres"),
      h("div", { class: "toolbar" }, h("label", { for: "genres-filter" }, "Filter"), input)),
    list);
  render();
}
