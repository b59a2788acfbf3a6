// Starred artists, albums and tracks.

import { api, listOf } from "../api.js";
import { albumGrid, artistRow, trackList } from "../components.js";
import { append, h } from "../dom.js";

export default async function starredView(view, { signal }) {
  const starred = await api("/me/starred", { signal });
  const artists = listOf(starred?.artists);
  const albums = listOf(starred?.albums);
  const tracks = listOf(starred?.tracks);
  append(view, h("div", { class: "page-head" }, h("h1", {}, "Starred")));
  if (!artists.length && !albums.length && !tracks.length) {
    append(view, h("p", { class: "empty" }, "Nothing starred yet. Use the ☆ buttons on tracks, albums and artists."));
    return;
  }
  append(view, 
    h("section", { "aria-labelledby": "starred-tracks" }, h("h2", { id: "starred-tracks" }, "Tracks"),
      trackList(tracks, { numbering: "index", signal, label: "Starred tracks", empty: "No starred tracks." })),
    h("section", { "aria-labelledby": "starred-albums" }, h("h2", { id: "starred-albums" }, "Albums"),
      albums.length ? albumGrid(albums) : h("p", { class: "empty" }, "No starred albums.")),
    h("section", { "aria-labelledby": "starred-artists" }, h("h2", { id: "starred-artists" }, "Artists"),
      artists.length ? h("ul", { class: "artist-list" }, artists.map(artistRow)) : h("p", { class: "empty" }, "No starred artists.")));
}
