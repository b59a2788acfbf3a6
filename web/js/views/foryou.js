// For you: the daily mixes and Rediscover Canto makes from what you play (your own playlists,
// made again every day or when you ask), and the way to a sonic path.

import { api, enc, listOf } from "../api.js";
import { queueTracks } from "../components.js";
import { append, fill, fmtDate, fmtTotal, h, icon, plural } from "../dom.js";
import { announce, announceError, attempt } from "../ui.js";

export default async function forYouView(view, { signal }) {
  const made = h("p", { class: "meta", "data-testid": "mixes-made" });
  const list = h("ul", { class: "playlist-list", "aria-labelledby": "mixes-head", "data-testid": "mixes" });
  const refresh = h("button", { type: "button", "data-testid": "mixes-refresh" }, icon("shuffle"), "Make again");

  const render = (page) => {
    const mixes = listOf(page);
    made.textContent = page?.refreshedAt ? `Made ${fmtDate(page.refreshedAt)}; made again every day.` : "Not made yet.";
    fill(list, mixes.map(mixRow));
    if (!mixes.length) {
      list.append(h("li", { class: "empty", "data-testid": "mixes-empty" },
        "No mixes yet. They appear once you have listened to some music (or starred some tracks): "
        + "Canto makes them from what you play, every day. Press “Make again” after listening for a while."));
    }
  };
  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    list.setAttribute("aria-busy", "true");
    try {
      const page = await api("/mixes/refresh", { method: "POST", signal });
      render(page);
      announce(listOf(page).length ? `Made ${plural(listOf(page).length, "mix", "mixes")}.` : "Nothing to make a mix from yet.");
    } catch (error) {
      announceError(error, "Making the mixes");
    } finally {
      refresh.disabled = false;
      list.removeAttribute("aria-busy");
    }
  });

  append(view,
    h("div", { class: "page-head" }, h("h1", {}, "For you"), h("div", { class: "toolbar" }, refresh)),
    h("h2", { id: "mixes-head" }, "Your mixes"),
    made,
    list,
    h("section", { class: "panel", "aria-labelledby": "sonic-path-head" },
      h("h2", { id: "sonic-path-head" }, "Sonic path"),
      h("p", {}, "A journey from one track to another, each step sounding like the one before."),
      h("a", { class: "button", href: "#/sonic-path", "data-testid": "sonic-path-link" }, "Find a sonic path")));
  render(await api("/mixes", { signal }));
}

function mixRow(mix) {
  const play = async () => {
    const detail = await attempt(() => api(`/playlists/${enc(mix.id)}`), "Loading the mix");
    if (detail) queueTracks(listOf(detail.tracks), "play");
  };
  return h("li", { class: "playlist-row mix-row", "data-testid": "mix-item", "data-playlist-id": mix.id },
    h("button", { type: "button", class: "icon-btn", "data-testid": "mix-play", "aria-label": `Play ${mix.name}`, title: "Play",
      onclick: play }, icon("play")),
    h("div", { class: "col-title" },
      h("a", { href: `#/playlist/${enc(mix.id)}`, class: "playlist-name", "data-testid": "mix-link" }, mix.name),
      mix.comment ? h("span", { class: "sub" }, mix.comment) : null),
    h("span", { class: "meta" }, `${plural(mix.trackCount ?? 0, "track")} · ${fmtTotal(mix.durationMs)}`));
}
