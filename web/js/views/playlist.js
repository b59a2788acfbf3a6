// A playlist: play it, rename, make public, reorder (drag or keyboard), remove tracks,
// export as M3U or to the listener's Spotify (when linked), delete. A smart playlist's tracks
// follow its rules: they are edited (and exported as .nsp) instead of the tracks.

import { api, coverUrl, enc } from "../api.js";
import { focusRow, label, makeSortable, playActions, sortControls, starButton } from "../components.js";
import { append, fmtMs, fmtTotal, h, icon, plural } from "../dom.js";
import * as player from "../player.js";
import { render as renderRoute } from "../router.js";
import { smartEditor } from "../smarteditor.js";
import { announce, announceError, confirmDialog } from "../ui.js";
import { spotifyExport } from "./spotify.js";

const CHUNK = 300;

export default async function playlistView(view, { params, signal }) {
  let { playlist, tracks } = await api(`/playlists/${enc(params.id)}`, { signal });
  const smart = Boolean(playlist.smart);
  const owned = playlist.editable !== false;
  // The tracks themselves: a smart playlist's follow its rules.
  const editable = owned && !smart;
  const title = h("h1", { "data-testid": "playlist-title" }, playlist.name);
  const meta = h("p", { class: "meta", "data-testid": "playlist-meta" });
  const list = h("ol", { class: "sortable", "aria-label": `Tracks of ${playlist.name}`, "data-testid": "playlist-tracks" });
  const more = h("button", { type: "button", class: "more-btn", hidden: true });
  let limit = CHUNK;

  const renderMeta = () => {
    title.textContent = playlist.name;
    meta.textContent = [
      smart ? "smart playlist" : null,
      plural(tracks.length, "track"), fmtTotal(tracks.reduce((sum, t) => sum + (t.durationMs ?? 0), 0)),
      playlist.public ? "public" : "private", owned ? null : `by ${playlist.owner}`,
    ].filter(Boolean).join(" · ");
  };

  /** Saves a new order/selection (PATCH trackIds), reverting on failure. */
  const saveTracks = async (next, message, focus) => {
    const previous = tracks;
    tracks = next;
    render();
    focus?.();
    try {
      playlist = await api(`/playlists/${enc(playlist.id)}`, { method: "PATCH", body: { trackIds: tracks.map((t) => t.id) } });
      renderMeta();
      announce(message);
    } catch (error) {
      tracks = previous;
      render();
      announceError(error, "Saving the playlist");
    }
  };
  const onMove = (from, to, via) => {
    if (!editable || to < 0 || to >= tracks.length) return;
    const next = [...tracks];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    saveTracks(next, `Moved ${item.title} to position ${to + 1}.`, () => focusRow(list, to, via));
  };
  const onRemove = (i) => {
    if (!editable) return;
    const next = [...tracks];
    const [item] = next.splice(i, 1);
    saveTracks(next, `Removed ${item.title} from ${playlist.name}.`, () => focusRow(list, Math.min(i, next.length - 1), "key"));
  };
  if (editable) makeSortable(list, { onMove, onRemove });

  const render = () => {
    renderMeta();
    const shown = Math.min(tracks.length, limit);
    const rows = [];
    for (let i = 0; i < shown; i++) {
      const track = tracks[i];
      rows.push(h("li", {
        class: "queue-row track-row", "data-testid": "track-row", "data-track-id": track.id, "data-index": i,
        draggable: editable ? "true" : null, tabindex: editable ? "0" : null, "aria-label": `${i + 1}. ${label(track)}`,
      },
        editable ? h("span", { class: "grip", "aria-hidden": "true" }, icon("grip")) : null,
        h("span", { class: "col-num" }, String(i + 1)),
        h("button", { type: "button", class: "icon-btn", "data-testid": "play-button", "aria-label": `Play ${track.title}`, title: "Play",
          onclick: () => player.playTracks(tracks, i) }, icon("play")),
        h("img", { class: "thumb", src: coverUrl(track.coverArt ?? track.albumId ?? track.id, 80), alt: "", width: 40, height: 40, loading: "lazy" }),
        h("div", { class: "col-title" },
          h("span", { class: "title", "data-testid": "track-title" }, track.title),
          h("span", { class: "sub" },
            track.artistId ? h("a", { href: `#/artist/${enc(track.artistId)}`, tabindex: "-1" }, track.artist) : track.artist ?? "",
            track.album ? [" · ", h("a", { href: `#/album/${enc(track.albumId)}`, tabindex: "-1" }, track.album)] : null)),
        h("span", { class: "col-dur" }, fmtMs(track.durationMs)),
        starButton("track", track),
        h("button", { type: "button", class: "icon-btn", "data-testid": "queue-add", "aria-label": `Add ${track.title} to queue`, title: "Add to queue",
          onclick: () => player.addToQueue([track]) }, icon("plus")),
        editable ? sortControls(i, tracks.length, track.title, { onMove, onRemove, prefix: "playlist" }) : null));
    }
    list.replaceChildren(...rows);
    if (!tracks.length) {
      list.append(h("li", { class: "empty" }, smart
        ? "No tracks match the rules at the moment."
        : "This playlist is empty. Add tracks with “Add to playlist…” on albums and tracks."));
    }
    more.hidden = shown >= tracks.length;
    more.textContent = `Show more (${tracks.length - shown} left)`;
    for (const row of list.querySelectorAll(".track-row")) row.classList.toggle("playing", row.dataset.trackId === player.current()?.id);
  };
  more.addEventListener("click", () => {
    limit += CHUNK;
    render();
  });

  // Rename / public, in a small form revealed by a button.
  const nameInput = h("input", { id: "playlist-rename", value: playlist.name, required: true, maxlength: 200, "data-testid": "playlist-rename-input" });
  const commentInput = h("input", { id: "playlist-comment", value: playlist.comment ?? "", maxlength: 1000 });
  const publicBox = h("input", { id: "playlist-public", type: "checkbox", checked: Boolean(playlist.public) });
  const editForm = h("form", { class: "inline-form", hidden: true, "data-testid": "playlist-edit-form" },
    h("label", { for: "playlist-rename" }, "Name"), nameInput,
    h("label", { for: "playlist-comment" }, "Comment"), commentInput,
    h("label", { class: "check" }, publicBox, "Public"),
    h("button", { type: "submit", class: "primary", "data-testid": "playlist-rename-save" }, "Save"),
    h("button", { type: "button", onclick: () => { editForm.hidden = true; } }, "Cancel"));
  editForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      playlist = await api(`/playlists/${enc(playlist.id)}`, { method: "PATCH",
        body: { name: nameInput.value.trim(), comment: commentInput.value.trim() || null, public: publicBox.checked } });
      renderMeta();
      editForm.hidden = true;
      announce(`Saved ${playlist.name}.`);
    } catch (error) {
      announceError(error, "Saving the playlist");
    }
  });

  const deleteButton = h("button", { type: "button", class: "danger", "data-testid": "playlist-delete", onclick: async () => {
    if (!(await confirmDialog(`Delete the playlist “${playlist.name}”? This cannot be undone.`, { confirmLabel: "Delete", danger: true }))) return;
    try {
      await api(`/playlists/${enc(playlist.id)}`, { method: "DELETE" });
      announce(`Deleted ${playlist.name}.`);
      location.hash = "#/playlists";
    } catch (error) {
      announceError(error, "Deleting the playlist");
    }
  } }, icon("trash"), "Delete");

  // Shown once the listener's Spotify link is known to work.
  const spotify = spotifyExport(() => playlist, signal);

  // A smart playlist's rules: the editor opens under the actions; saving shows the new tracks.
  const rulesBox = h("div", { class: "smart-box" });
  const editRules = smart && owned
    ? h("button", { type: "button", "data-testid": "smart-edit", "aria-expanded": "false", onclick: async () => {
        if (rulesBox.firstChild) {
          rulesBox.replaceChildren();
          editRules.setAttribute("aria-expanded", "false");
          return;
        }
        try {
          const nsp = await api(`/smart-playlists/${enc(playlist.id)}`, { signal });
          const editor = smartEditor({
            playlist, nsp: typeof nsp === "string" ? JSON.parse(nsp) : nsp, signal,
            onCancel: () => {
              rulesBox.replaceChildren();
              editRules.setAttribute("aria-expanded", "false");
              editRules.focus();
            },
            onSaved: () => renderRoute(),
          });
          rulesBox.replaceChildren(editor.el);
          editRules.setAttribute("aria-expanded", "true");
          editor.focus();
        } catch (error) {
          announceError(error, "Loading the rules");
        }
      } }, "Edit rules…")
    : null;
  const exportNsp = smart
    ? h("a", { class: "button", href: `/api/v1/smart-playlists/${enc(playlist.id)}`, download: `${playlist.name}.nsp`,
        "data-testid": "smart-export" }, "Export .nsp")
    : null;

  append(view, 
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/playlists" }, "Playlists")),
    h("div", { class: "page-head" }, h("div", { class: "row" }, title,
      smart ? h("span", { class: "badge", "data-testid": "smart-badge", title: "Its tracks follow its rules" }, "Smart") : null)),
    playlist.comment ? h("p", {}, playlist.comment) : null,
    meta,
    playActions(async () => tracks, { label: playlist.name, testPrefix: "playlist" }),
    h("div", { class: "actions" },
      editable ? h("button", { type: "button", "data-testid": "playlist-edit", onclick: () => { editForm.hidden = !editForm.hidden; if (!editForm.hidden) nameInput.focus(); } }, "Rename…") : null,
      editRules,
      h("a", { class: "button", href: `/api/v1/playlists/${enc(playlist.id)}/m3u`, download: `${playlist.name}.m3u`, "data-testid": "playlist-export" }, "Export M3U"),
      exportNsp,
      spotify.button,
      owned ? deleteButton : null),
    spotify.result,
    editForm,
    rulesBox,
    editable ? h("p", { class: "hint" }, "Drag rows to reorder, or focus a row and press Alt+↑ / Alt+↓. Delete removes it.") : null,
    list, more);
  render();
}
