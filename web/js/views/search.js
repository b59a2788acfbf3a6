// The full search results page (#/search?q=): artists, albums and tracks.

import { api, listOf, qs } from "../api.js";
import { albumGrid, artistRow, trackList } from "../components.js";
import { append, h } from "../dom.js";

export default async function searchView(view, { query, signal }) {
  const q = (query.get("q") ?? "").trim();
  const input = document.getElementById("search-input");
  if (input && document.activeElement !== input) input.value = q;
  append(view, h("div", { class: "page-head" }, h("h1", {}, q ? `Results for “${q}”` : "Search")));
  if (!q) {
    append(view, h("p", { class: "empty" }, "Type in the search box above."));
    return;
  }
  const result = await api(`/search${qs({ q, limit: 50 })}`, { signal });
  const artists = listOf(result?.artists);
  const albums = listOf(result?.albums);
  const tracks = listOf(result?.tracks);
  if (!artists.length && !albums.length && !tracks.length) {
    append(view, h("p", { class: "empty", "data-testid": "search-empty" }, "Nothing matches."));
    return;
  }
  if (artists.length) {
    append(view, h("section", { "aria-labelledby": "results-artists" },
      h("h2", { id: "results-artists" }, "Artists"),
      h("ul", { class: "artist-list" }, artists.map(artistRow))));
  }
  if (albums.length) {
    append(view, h("section", { "aria-labelledby": "results-albums" },
      h("h2", { id: "results-albums" }, "Albums"), albumGrid(albums)));
  }
  if (tracks.length) {
    append(view, h("section", { "aria-labelledby": "results-tracks" },
      h("h2", { id: "results-tracks" }, "Tracks"),
      trackList(tracks, { numbering: "none", signal, label: "Tracks" })));
  }
}
