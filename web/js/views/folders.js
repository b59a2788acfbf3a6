// Folders: the library folder tree; a folder lists its subfolders and plays its tracks.

import { api, enc, listOf } from "../api.js";
import { playActions, trackList } from "../components.js";
import { append, h, icon } from "../dom.js";

export default async function foldersView(view, { params, signal }) {
  if (!params.id) {
    const roots = listOf(await api("/folders", { signal }));
    append(view, 
      h("div", { class: "page-head" }, h("h1", {}, "Folders")),
      roots.length
        ? h("ul", { class: "folder-list", "aria-label": "Libraries" }, roots.map(folderLink))
        : h("p", { class: "empty" }, "No library folders."));
    return;
  }
  const { folder, folders = [], tracks = [] } = await api(`/folders/${enc(params.id)}`, { signal });
  append(view, 
    h("nav", { class: "crumbs", "aria-label": "Folder" },
      h("a", { href: "#/folders" }, "All folders"),
      folder.parentId ? [" / ", h("a", { href: `#/folders/${enc(folder.parentId)}`, "data-testid": "folder-up" }, "Up one level")] : null),
    h("div", { class: "page-head" }, h("h1", { "data-testid": "folder-name" }, folder.name)),
    folders.length ? h("ul", { class: "folder-list", "aria-label": "Subfolders" }, folders.map(folderLink)) : null,
    tracks.length
      ? [playActions(async () => tracks, { label: folder.name, testPrefix: "folder" }),
         trackList(tracks, { numbering: "index", signal, label: `Tracks in ${folder.name}` })]
      : (folders.length ? null : h("p", { class: "empty" }, "This folder is empty.")));
}

function folderLink(folder) {
  return h("li", {}, h("a", { href: `#/folders/${enc(folder.id)}`, class: "folder", "data-testid": "folder-link" }, icon("folder"), folder.name));
}
