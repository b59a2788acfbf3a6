// The play queue: play any entry, reorder by drag and drop or keyboard (Alt+↑/↓, move
// buttons), remove, clear, save as a playlist.

import { api, coverUrl, enc } from "../api.js";
import { focusRow, label, makeSortable, sortControls } from "../components.js";
import { append, fmtMs, fmtTotal, h, icon, plural } from "../dom.js";
import * as player from "../player.js";
import { announce, announceError, confirmDialog } from "../ui.js";

const CHUNK = 300;

export default async function queueView(view, { signal }) {
  const summary = h("p", { class: "meta", "data-testid": "queue-summary" });
  const list = h("ol", { class: "sortable", "aria-label": "Queue", "data-testid": "queue-list",
    "aria-describedby": "queue-help" });
  const more = h("button", { type: "button", class: "more-btn", hidden: true });
  const clearButton = h("button", { type: "button", "data-testid": "queue-clear" }, icon("trash"), "Clear");
  const saveButton = h("button", { type: "button", "data-testid": "queue-save" }, icon("listAdd"), "Save as playlist…");
  let limit = CHUNK;

  append(view, 
    h("div", { class: "page-head" }, h("h1", {}, "Queue"), h("div", { class: "toolbar" }, saveButton, clearButton)),
    summary,
    h("p", { id: "queue-help", class: "hint" }, "Drag rows to reorder, or focus a row and press Alt+↑ / Alt+↓. Delete removes it."),
    list, more);

  const onMove = (from, to, via) => {
    if (to < 0 || to >= player.tracks().length) return;
    player.move(from, to);
    const track = player.tracks()[to];
    announce(`Moved ${track.title} to position ${to + 1}.`);
    focusRow(list, to, via);
  };
  const onRemove = (i) => {
    const track = player.tracks()[i];
    player.remove(i);
    announce(`Removed ${track.title} from the queue.`);
    focusRow(list, Math.min(i, player.tracks().length - 1), "key");
  };
  makeSortable(list, { onMove, onRemove });

  const render = () => {
    const tracks = player.tracks();
    const currentIndex = player.currentIndex();
    const total = tracks.reduce((sum, t) => sum + (t.durationMs ?? 0), 0);
    const station = player.radioOn();
    summary.textContent = tracks.length
      ? `${plural(tracks.length, "track")} · ${fmtTotal(total)}${station ? ` · Radio ${station.label}: more follows as it plays` : ""}`
      : "";
    clearButton.disabled = saveButton.disabled = !tracks.length;
    const shown = Math.min(tracks.length, Math.max(limit, (currentIndex ?? 0) + 50));
    const rows = [];
    for (let i = 0; i < shown; i++) {
      const track = tracks[i];
      const isCurrent = i === currentIndex;
      rows.push(h("li", {
        class: "queue-row" + (isCurrent ? " playing" : ""), "data-testid": "queue-row", "data-index": i,
        "data-track-id": track.id, draggable: "true", tabindex: "0", "aria-current": isCurrent ? "true" : null,
        "aria-label": `${i + 1}. ${label(track)}${isCurrent ? " (current)" : ""}`,
      },
        h("span", { class: "grip", "aria-hidden": "true" }, icon("grip")),
        h("span", { class: "col-num" }, String(i + 1)),
        h("button", { type: "button", class: "icon-btn", "data-testid": "queue-play", "aria-label": `Play ${track.title}`, title: "Play",
          onclick: () => player.playIndex(i) }, icon("play")),
        h("img", { class: "thumb", src: coverUrl(track.coverArt ?? track.albumId ?? track.id, 80), alt: "", width: 40, height: 40, loading: "lazy" }),
        h("div", { class: "col-title" },
          h("span", { class: "title", "data-testid": "queue-title" }, track.title),
          h("span", { class: "sub" },
            track.artistId ? h("a", { href: `#/artist/${enc(track.artistId)}`, tabindex: "-1" }, track.artist) : track.artist ?? "",
            track.album ? [" · ", h("a", { href: `#/album/${enc(track.albumId)}`, tabindex: "-1" }, track.album)] : null),
          track.reason ? h("span", { class: "reason", "data-testid": "queue-reason" }, track.reason) : null),
        h("span", { class: "col-dur" }, fmtMs(track.durationMs)),
        sortControls(i, tracks.length, track.title, { onMove, onRemove, prefix: "queue" })));
    }
    list.replaceChildren(...rows);
    if (!tracks.length) list.append(h("li", { class: "empty" }, "The queue is empty. Add tracks from albums, playlists or search."));
    more.hidden = shown >= tracks.length;
    more.textContent = `Show more (${tracks.length - shown} left)`;
  };
  more.addEventListener("click", () => {
    limit += CHUNK;
    render();
  });

  clearButton.addEventListener("click", async () => {
    if (!(await confirmDialog("Remove every track from the queue?", { confirmLabel: "Clear queue", danger: true }))) return;
    player.clearQueue();
    announce("Queue cleared.");
  });
  saveButton.addEventListener("click", async () => {
    const name = `Queue ${new Date().toLocaleString()}`;
    try {
      const created = await api("/playlists", { method: "POST", body: { name, trackIds: player.tracks().map((t) => t.id) } });
      announce(`Saved the queue as ${created.name}.`);
      location.hash = `#/playlist/${enc(created.id)}`;
    } catch (error) {
      announceError(error, "Saving the queue");
    }
  });

  // Re-render when the queue or the current track changes, keeping the focused row.
  const rerender = () => {
    const focused = document.activeElement?.closest?.("[data-index]");
    const focusIndex = focused && list.contains(focused) ? Number(focused.dataset.index) : null;
    const move = document.activeElement?.dataset?.move;
    render();
    if (focusIndex != null) focusRow(list, Math.min(focusIndex, player.tracks().length - 1), move ?? "key");
  };
  player.on("queue", rerender, signal);
  player.on("track", rerender, signal);
  player.on("state", () => { summary.dataset.radio = player.radioOn() ? "on" : "off"; }, signal);
  render();
}
