// Artists: a paged list in name order with a name filter.

import { api, qs } from "../api.js";
import { artistRow, pager } from "../components.js";
import { append, debounce, h } from "../dom.js";
import { setQuery } from "../router.js";

export default async function artistsView(view, { query, signal }) {
  let filter = query.get("q") ?? "";
  const input = h("input", { id: "artists-filter", type: "search", value: filter, autocomplete: "off", "data-testid": "artists-filter", placeholder: "Filter by name" });
  const list = h("ul", { class: "artist-list", "aria-label": "Artists", "data-testid": "artist-list" });
  const holder = h("div");
  append(view, 
    h("div", { class: "page-head" }, h("h1", {}, "Artists"),
      h("div", { class: "toolbar" }, h("label", { for: "artists-filter" }, "Filter"), input)),
    list, holder);

  let listController = null;
  const load = () => {
    listController?.abort();
    listController = new AbortController();
    signal.addEventListener("abort", () => listController.abort(), { once: true });
    list.replaceChildren();
    holder.replaceChildren(pager({
      container: list,
      signal: listController.signal,
      empty: filter ? `No artist matches “${filter}”.` : "No artists yet.",
      fetchPage: (offset) => api(`/artists${qs({ q: filter, offset, limit: 100 })}`, { signal: listController.signal }),
      render: (items) => items.map(artistRow),
    }));
  };
  input.addEventListener("input", debounce(() => {
    if (input.value.trim() === filter) return;
    filter = input.value.trim();
    setQuery({ q: filter });
    load();
  }, 250));
  load();
}
