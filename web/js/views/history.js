// Listening history, newest first, paged.

import { api, enc, qs } from "../api.js";
import { pager } from "../components.js";
import { append, fmtDate, fmtTime, h, icon } from "../dom.js";
import * as player from "../player.js";
import { attempt } from "../ui.js";

export default async function historyView(view, { signal }) {
  const total = h("p", { class: "meta", "data-testid": "history-total" });
  const body = h("tbody", { "data-testid": "history-rows" });
  const table = h("table", { class: "table", "data-testid": "history-table" },
    h("caption", { class: "visually-hidden" }, "Listening history"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Play")),
      h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "Artist"), h("th", { scope: "col", class: "wide-only" }, "Album"),
      h("th", { scope: "col" }, "When"), h("th", { scope: "col", class: "wide-only" }, "Listened"), h("th", { scope: "col", class: "wide-only" }, "App"))),
    body);
  append(view, h("div", { class: "page-head" }, h("h1", {}, "History")), total, h("div", { class: "table-wrap" }, table));
  append(view, pager({
    container: body,
    signal,
    empty: "Nothing played yet.",
    fetchPage: async (offset) => {
      const page = await api(`/me/history${qs({ offset, limit: 50 })}`, { signal });
      total.textContent = `${page.total ?? 0} plays`;
      const items = page.items ?? [];
      return { items, more: page.more };
    },
    render: (items) => items.map((item) => h("tr", { "data-testid": "history-row" },
      h("td", {}, h("button", { type: "button", class: "icon-btn", "aria-label": `Play ${item.title ?? "track"}`, title: "Play",
        onclick: async () => {
          const track = await attempt(() => api(`/tracks/${enc(item.trackId)}`), "Loading the track");
          if (track) player.playTracks([track], 0);
        } }, icon("play"))),
      h("td", {}, item.title ?? "(removed track)"),
      h("td", {}, item.artist ?? ""),
      h("td", { class: "wide-only" }, item.album ?? ""),
      h("td", {}, fmtDate(item.startedAt)),
      h("td", { class: "wide-only" }, fmtTime(item.secondsPlayed ?? 0)),
      h("td", { class: "wide-only" }, [item.client ?? "", item.scrobble ? " · scrobbled" : ""].join("")))),
  }));
}
