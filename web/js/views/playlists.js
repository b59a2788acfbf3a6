// Playlists: mine and others' public ones; create one, a smart one (rules), import an M3U file
// or a smart playlist's .nsp file.

import { api, enc, listOf, qs } from "../api.js";
import { append, fill, fmtDate, fmtTotal, h, icon, plural } from "../dom.js";
import { smartEditor } from "../smarteditor.js";
import { announce, announceError, announceRefusal, planNotice } from "../ui.js";

export default async function playlistsView(view, { signal }) {
  const list = h("ul", { class: "playlist-list", "aria-label": "Playlists", "data-testid": "playlist-list" });

  // New playlist: the button reveals a small form.
  const nameInput = h("input", { id: "playlist-name", "data-testid": "playlist-name", required: true, maxlength: 200, autocomplete: "off" });
  const createForm = h("form", { class: "inline-form", hidden: true, "data-testid": "playlist-form" },
    h("label", { for: "playlist-name" }, "Name"), nameInput,
    h("button", { type: "submit", class: "primary", "data-testid": "playlist-create" }, "Create"),
    h("button", { type: "button", onclick: () => { createForm.hidden = true; newButton.focus(); } }, "Cancel"));
  const newButton = h("button", { type: "button", class: "primary", "data-testid": "playlist-new", "aria-expanded": "false",
    onclick: () => {
      createForm.hidden = !createForm.hidden;
      newButton.setAttribute("aria-expanded", String(!createForm.hidden));
      if (!createForm.hidden) nameInput.focus();
    } }, icon("plus"), "New playlist");

  // New smart playlist: the button opens the rules editor under the toolbar.
  const smartBox = h("div", { class: "smart-box" });
  const closeSmart = () => {
    smartBox.replaceChildren();
    smartButton.setAttribute("aria-expanded", "false");
    smartButton.focus();
  };
  const smartButton = h("button", { type: "button", "data-testid": "smart-new", "aria-expanded": "false", onclick: () => {
    if (smartBox.firstChild) {
      closeSmart();
      return;
    }
    const editor = smartEditor({
      signal,
      onCancel: closeSmart,
      onSaved: (created) => {
        location.hash = `#/playlist/${enc(created.id)}`;
      },
    });
    smartBox.replaceChildren(editor.el);
    smartButton.setAttribute("aria-expanded", "true");
    editor.focus();
  } }, icon("plus"), "New smart playlist");
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    try {
      const created = await api("/playlists", { method: "POST", body: { name } });
      announce(`Created playlist ${created.name}.`);
      nameInput.value = "";
      createForm.hidden = true;
      location.hash = `#/playlist/${enc(created.id)}`;
    } catch (error) {
      announceError(error, "Creating the playlist");
    }
  });

  // Import: an .m3u/.m3u8 file posted as raw text.
  const fileInput = h("input", { id: "m3u-file", type: "file", accept: ".m3u,.m3u8,audio/x-mpegurl,audio/mpegurl,text/plain", "data-testid": "m3u-file" });
  const importName = h("input", { id: "m3u-name", autocomplete: "off", "data-testid": "m3u-name", placeholder: "From the file name" });
  const importResult = h("div", { class: "import-result", "data-testid": "m3u-result", "aria-live": "polite" });
  const refused = planNotice("m3u-plan-notice");
  const importForm = h("form", { class: "inline-form" },
    h("label", { for: "m3u-file" }, "M3U file"), fileInput,
    h("label", { for: "m3u-name" }, "Name"), importName,
    h("button", { type: "submit", "data-testid": "m3u-import" }, "Import"));
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = fileInput.files?.[0];
    if (!file) {
      announce("Choose an M3U file first.", { error: true });
      return;
    }
    const name = importName.value.trim() || file.name.replace(/\.m3u8?$/i, "");
    try {
      const text = await file.text();
      const result = await api(`/playlists/import${qs({ name })}`, { method: "POST", raw: text, contentType: "audio/x-mpegurl" });
      refused.clear();
      const unmatched = listOf(result.unmatched);
      fill(importResult, 
        h("p", {}, `Imported “${result.playlist.name}”: ${plural(result.matched ?? 0, "track")} matched, ${unmatched.length} not found. `,
          h("a", { href: `#/playlist/${enc(result.playlist.id)}` }, "Open it")),
        unmatched.length
          ? h("details", {}, h("summary", {}, "Entries not found"), h("ul", { class: "unmatched" }, unmatched.slice(0, 500).map((line) => h("li", {}, line))))
          : null);
      importForm.reset();
      load();
    } catch (error) {
      announceRefusal(error, "Importing", refused);
    }
  });

  // Import a smart playlist: a Navidrome .nsp file (JSON: name, comment, the rules).
  const nspInput = h("input", { id: "nsp-file", type: "file", accept: ".nsp,application/json,.json", "data-testid": "smart-import-file" });
  const nspResult = h("div", { class: "import-result", "data-testid": "smart-import-result", "aria-live": "polite" });
  const nspError = h("p", { class: "error-text", role: "alert", "data-testid": "smart-import-error" });
  const nspForm = h("form", { class: "inline-form" },
    h("label", { for: "nsp-file" }, ".nsp file"), nspInput,
    h("button", { type: "submit", "data-testid": "smart-import" }, "Import"));
  nspForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    nspError.textContent = "";
    const file = nspInput.files?.[0];
    if (!file) {
      nspError.textContent = "Choose an .nsp file first.";
      return;
    }
    let body;
    try {
      body = JSON.parse(await file.text());
    } catch {
      nspError.textContent = `${file.name} is not a smart playlist file (it is not JSON).`;
      return;
    }
    if (body && typeof body === "object" && !Array.isArray(body) && !body.name) body.name = file.name.replace(/\.(nsp|json)$/i, "");
    try {
      const created = await api("/smart-playlists/import", { method: "POST", body });
      fill(nspResult, h("p", {}, `Imported the smart playlist “${created.name}”: ${plural(created.trackCount ?? 0, "track")} match now. `,
        h("a", { href: `#/playlist/${enc(created.id)}`, "data-testid": "smart-import-link", "data-playlist-id": created.id }, "Open it")));
      nspForm.reset();
      announce(`Imported ${created.name}.`);
      load();
    } catch (error) {
      nspError.textContent = error.message;
      announceError(error, "Importing the smart playlist");
    }
  });

  const load = async () => {
    const playlists = listOf(await api("/playlists", { signal }));
    list.replaceChildren(...playlists.map(playlistRow));
    if (!playlists.length) list.append(h("li", { class: "empty" }, "No playlists yet."));
  };

  append(view, 
    h("div", { class: "page-head" }, h("h1", {}, "Playlists"), h("div", { class: "toolbar" }, newButton, smartButton)),
    createForm,
    smartBox,
    list,
    h("section", { "aria-labelledby": "import-head", class: "panel" },
      h("h2", { id: "import-head" }, "Import an M3U playlist"), importForm, refused.el, importResult),
    h("section", { "aria-labelledby": "nsp-head", class: "panel" },
      h("h2", { id: "nsp-head" }, "Import a smart playlist"),
      h("p", { class: "hint" }, "A Navidrome .nsp file: its rules become a smart playlist here."),
      nspForm, nspError, nspResult));
  await load();
}

function playlistRow(playlist) {
  return h("li", { class: "playlist-row", "data-testid": "playlist-row", "data-playlist-id": playlist.id, "data-smart": playlist.smart ? "true" : null },
    h("a", { href: `#/playlist/${enc(playlist.id)}`, class: "playlist-name", "data-testid": "playlist-link" }, playlist.name),
    playlist.smart ? h("span", { class: "badge", "data-testid": "smart-badge", title: "Its tracks follow its rules" }, "Smart") : null,
    h("span", { class: "meta" },
      [plural(playlist.trackCount ?? 0, "track"), fmtTotal(playlist.durationMs),
       playlist.editable === false ? `by ${playlist.owner}` : playlist.public ? "public" : null,
       `updated ${fmtDate(playlist.updatedAt)}`].filter(Boolean).join(" · ")));
}
