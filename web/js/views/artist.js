// An artist: picture, star and rating, albums and top tracks.

import { api, coverUrl, enc } from "../api.js";
import { albumGrid, playActions, ratingControl, starButton, trackList } from "../components.js";
import { append, h, plural } from "../dom.js";

export default async function artistView(view, { params, signal }) {
  const { artist, albums = [], topTracks = [] } = await api(`/artists/${enc(params.id)}`, { signal });
  // Play everything: the albums' tracks in order (loaded on demand), else the top tracks.
  const allTracks = async () => {
    if (!albums.length) return topTracks;
    const details = await Promise.all(albums.map((album) => api(`/albums/${enc(album.id)}`)));
    return details.flatMap((detail) => detail.discs.flatMap((disc) => disc.tracks));
  };
  append(view, 
    h("div", { class: "detail-head" },
      h("img", { class: "detail-cover round", src: coverUrl(artist.id, 300), alt: "", width: 300, height: 300 }),
      h("div", { class: "detail-info" },
        h("p", { class: "kicker" }, "Artist"),
        h("h1", { "data-testid": "artist-name" }, artist.name),
        h("p", { class: "meta" }, `${plural(artist.albumCount ?? albums.length, "album")} · ${plural(artist.trackCount ?? 0, "track")}`),
        h("div", { class: "row" }, starButton("artist", artist), ratingControl("artist", artist)),
        playActions(allTracks, { label: artist.name, testPrefix: "artist", radio: { seedType: "artist", seed: artist.id } }))),
    h("section", { "aria-labelledby": "artist-albums" },
      h("h2", { id: "artist-albums" }, "Albums"),
      albums.length ? albumGrid(albums) : h("p", { class: "empty" }, "No albums.")),
    h("section", { "aria-labelledby": "artist-top" },
      h("h2", { id: "artist-top" }, "Top tracks"),
      trackList(topTracks, { numbering: "index", showArtist: false, signal, label: "Top tracks", empty: "No tracks." })));
}
