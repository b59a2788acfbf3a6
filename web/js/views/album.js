// An album: cover, facts, actions, star and rating, and its tracks grouped by disc.

import { api, coverUrl, enc, qs } from "../api.js";
import { playActions, ratingControl, starButton, trackList } from "../components.js";
import { append, fmtTotal, h, plural } from "../dom.js";
import * as player from "../player.js";

export default async function albumView(view, { params, signal }) {
  const { album, discs } = await api(`/albums/${enc(params.id)}`, { signal });
  const tracks = discs.flatMap((disc) => disc.tracks);
  const multiDisc = discs.length > 1 || discs.some((disc) => disc.subtitle);

  const facts = [
    album.year ? String(album.year) : null,
    plural(album.trackCount ?? tracks.length, "track"),
    fmtTotal(album.durationMs),
    album.discCount > 1 ? plural(album.discCount, "disc") : null,
    album.compilation ? "Compilation" : null,
  ].filter(Boolean).join(" · ");

  append(view, 
    h("div", { class: "detail-head" },
      h("img", { class: "detail-cover", src: coverUrl(album.coverArt ?? album.id, 300), alt: `Cover of ${album.title}`, width: 300, height: 300 }),
      h("div", { class: "detail-info" },
        h("p", { class: "kicker" }, album.compilation ? "Compilation" : "Album"),
        h("h1", { "data-testid": "album-title" }, album.title),
        h("p", { class: "detail-artist" },
          album.artistId ? h("a", { href: `#/artist/${enc(album.artistId)}` }, album.artist) : album.artist),
        h("p", { class: "meta" }, facts),
        album.genres?.length
          ? h("p", { class: "tags" }, album.genres.map((genre) => h("a", { class: "tag", href: `#/albums${qs({ genre })}` }, genre)))
          : null,
        h("div", { class: "row" }, starButton("album", album), ratingControl("album", album)),
        playActions(async () => tracks, { label: album.title, testPrefix: "album", radio: { seedType: "album", seed: album.id } }))));

  // Playing a row plays the album from that row, across discs.
  for (const disc of discs) {
    const section = h("section", { class: "disc", "aria-label": discLabel(disc) });
    if (multiDisc) {
      append(section, h("h2", { class: "disc-head", "data-testid": "disc-heading" },
        `Disc ${disc.number}`, disc.subtitle ? h("span", { class: "disc-subtitle" }, ` — ${disc.subtitle}`) : null));
    }
    const offset = tracks.indexOf(disc.tracks[0]);
    append(section, trackList(disc.tracks, {
      numbering: "track", showAlbum: false, signal, label: discLabel(disc),
      showArtist: album.compilation || disc.tracks.some((t) => t.artist !== album.artist),
      playAt: (i) => player.playTracks(tracks, offset + i),
    }));
    append(view, section);
  }
}

function discLabel(disc) {
  return `Disc ${disc.number}${disc.subtitle ? ": " + disc.subtitle : ""}`;
}
