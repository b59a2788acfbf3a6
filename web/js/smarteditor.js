// The smart playlist editor: a name, rules in nested "all"/"any" groups (Navidrome's .nsp shape),
// a sort and a limit, and a live count of the tracks the rules pick (the server's preview).

import { api, enc, listOf } from "./api.js";
import { debounce, h, icon, plural } from "./dom.js";
import { announce } from "./ui.js";

/** The fields a rule can read, by kind, with their labels. */
const FIELDS = [
  ["text", [
    ["title", "Title"], ["album", "Album"], ["artist", "Artist"], ["albumartist", "Album artist"], ["genre", "Genre"],
    ["comment", "Comment"], ["discsubtitle", "Disc subtitle"], ["filepath", "File path"], ["filetype", "File type"],
    ["library", "Library"], ["codec", "Codec"],
  ]],
  ["number", [
    ["year", "Year"], ["tracknumber", "Track number"], ["discnumber", "Disc number"], ["duration", "Length (seconds)"],
    ["bitrate", "Bitrate (kbit/s)"], ["bpm", "BPM"], ["size", "File size (bytes)"], ["channels", "Channels"],
    ["samplerate", "Sample rate (Hz)"], ["playcount", "Play count"], ["skipcount", "Skip count"], ["rating", "Rating (0–5)"],
  ]],
  ["bool", [["loved", "Loved (starred)"], ["compilation", "Compilation"]]],
  ["date", [["dateadded", "Date added"], ["datemodified", "Date modified"], ["lastplayed", "Last played"], ["dateloved", "Date loved"]]],
  ["playlist", [["playlist", "Playlist"]]],
];
const KIND_LABELS = { text: "Text", number: "Numbers", bool: "Yes or no", date: "Dates", playlist: "Other playlists" };
const KIND = Object.fromEntries(FIELDS.flatMap(([kind, fields]) => fields.map(([field]) => [field, kind])));

/** Operators per kind; the date kind's gt/lt (the same as after/before) are offered only when a rule has them. */
const OPERATORS = {
  text: ["is", "isNot", "contains", "notContains", "startsWith", "endsWith"],
  number: ["is", "isNot", "gt", "lt", "inTheRange"],
  bool: ["is", "isNot"],
  date: ["is", "isNot", "before", "after", "inTheRange", "inTheLast", "notInTheLast"],
  playlist: ["inPlaylist", "notInPlaylist"],
};
const OPERATOR_LABELS = {
  is: "is", isNot: "is not", contains: "contains", notContains: "does not contain", startsWith: "starts with",
  endsWith: "ends with", gt: "is greater than", lt: "is less than", inTheRange: "is between", before: "is before",
  after: "is after", inTheLast: "in the last", notInTheLast: "not in the last", inPlaylist: "is in", notInPlaylist: "is not in",
};
const DATE_LABELS = { gt: "is after (gt)", lt: "is before (lt)" };
/** How deep groups nest (the top group is 1), as the server allows. */
const MAX_DEPTH = 5;

const today = () => new Date().toISOString().slice(0, 10);

function defaultValue(kind, op) {
  if (op === "inTheLast" || op === "notInTheLast") return "30";
  if (op === "inTheRange") return kind === "date" ? [today(), today()] : ["", ""];
  if (kind === "bool") return true;
  if (kind === "date") return today();
  return "";
}

const newRule = (field = "title") => {
  const kind = KIND[field];
  const op = OPERATORS[kind][0];
  return { type: "rule", field, op, value: defaultValue(kind, op) };
};
const newGroup = (mode = "all", children = [newRule()]) => ({ type: "group", mode, children });

// MARK: - Between the editor's model and .nsp JSON

/** The editor's model of an .nsp object (rules that do not fit it are kept as they are). */
export function fromNsp(nsp) {
  const group = (object) => {
    const mode = Array.isArray(object?.any) ? "any" : "all";
    const items = Array.isArray(object?.[mode]) ? object[mode] : [];
    return { type: "group", mode, children: items.map(item) };
  };
  const item = (object) => {
    if (object && (Array.isArray(object.all) || Array.isArray(object.any))) return group(object);
    const [op, body] = Object.entries(object ?? {})[0] ?? [];
    const [key, value] = Object.entries(body ?? {})[0] ?? [];
    if (op === "inPlaylist" || op === "notInPlaylist") return { type: "rule", field: "playlist", op, value: String(value ?? "") };
    const field = String(key ?? "").toLowerCase();
    const kind = KIND[field];
    const fits = kind && (OPERATORS[kind].includes(op) || (kind === "date" && (op === "gt" || op === "lt")));
    if (!fits) return { type: "raw", json: object }; // shown as it is, sent back as it was (the server judges it)
    let v = value;
    if (op === "inTheRange") v = Array.isArray(value) ? value.map((x) => String(x ?? "")) : ["", ""];
    else if (kind === "bool") v = value === true || value === "true";
    else v = value == null ? "" : String(value);
    return { type: "rule", field, op, value: v };
  };
  const sortName = typeof nsp?.sort === "string" ? nsp.sort : "";
  const bare = sortName.replace(/^[+-]/, "").toLowerCase();
  return {
    root: group(nsp ?? {}),
    sort: KIND[bare] && KIND[bare] !== "playlist" ? bare : "",
    order: String(nsp?.order ?? (sortName.startsWith("-") ? "desc" : "asc")).toLowerCase() === "desc" ? "desc" : "asc",
    limit: Number.isInteger(nsp?.limit) ? String(nsp.limit) : "",
  };
}

/** The .nsp object of the editor's model (values typed as the field's kind asks). */
export function toNsp(model) {
  const number = (text) => {
    const trimmed = String(text).trim();
    const n = Number(trimmed);
    return trimmed !== "" && Number.isFinite(n) ? n : trimmed; // the server names what is wrong
  };
  const item = (node) => {
    if (node.type === "raw") return node.json;
    if (node.type === "group") return { [node.mode]: node.children.map(item) };
    const kind = KIND[node.field];
    if (node.field === "playlist") return { [node.op]: { id: node.value } };
    let value = node.value;
    if (node.op === "inTheLast" || node.op === "notInTheLast") value = number(value);
    else if (node.op === "inTheRange") value = kind === "number" ? value.map(number) : value;
    else if (kind === "number") value = number(value);
    else if (kind === "bool") value = Boolean(value);
    return { [node.op]: { [node.field]: value } };
  };
  const out = item(model.root);
  if (model.sort) {
    out.sort = model.sort;
    out.order = model.order;
  }
  const limit = String(model.limit ?? "").trim();
  if (limit !== "") out.limit = Number.isInteger(Number(limit)) ? Number(limit) : limit;
  return out;
}

// MARK: - The editor

/**
 * The editor, as an element. playlist: the smart playlist being edited (null for a new one), its
 * rules (an .nsp object) in nsp. onSaved(playlistItem) runs after a save; onCancel on Cancel.
 */
export function smartEditor({ playlist = null, nsp = null, onSaved, onCancel, signal }) {
  const model = nsp ? fromNsp(nsp) : { root: newGroup("all"), sort: "", order: "asc", limit: "" };
  let playlists = []; // for the inPlaylist rules: the listener's other playlists
  let seq = 0;
  const uid = (prefix) => `${prefix}-${Math.random().toString(36).slice(2, 8)}-${++seq}`;

  const nameInput = h("input", { id: uid("smart-name"), "data-testid": "smart-name", required: true, maxlength: 200,
    autocomplete: "off", value: playlist?.name ?? nsp?.name ?? "" });
  const commentInput = h("input", { id: uid("smart-comment"), "data-testid": "smart-comment", maxlength: 1000,
    autocomplete: "off", value: playlist?.comment ?? nsp?.comment ?? "" });
  const publicBox = h("input", { type: "checkbox", "data-testid": "smart-public", checked: Boolean(playlist?.public) });

  const rulesBox = h("div", { class: "smart-rules" });
  const sortSelect = h("select", { id: uid("smart-sort"), "data-testid": "smart-sort" },
    h("option", { value: "" }, "Album, disc and track"),
    FIELDS.filter(([kind]) => kind !== "playlist").map(([kind, fields]) =>
      h("optgroup", { label: KIND_LABELS[kind] }, fields.map(([field, label]) => h("option", { value: field }, label)))));
  sortSelect.value = model.sort;
  const orderSelect = h("select", { id: uid("smart-order"), "data-testid": "smart-order", "aria-label": "Order" },
    h("option", { value: "asc" }, "Ascending"), h("option", { value: "desc" }, "Descending"));
  orderSelect.value = model.order;
  const limitInput = h("input", { id: uid("smart-limit"), type: "number", min: 1, max: 10000, step: 1, inputmode: "numeric",
    placeholder: "No limit", "data-testid": "smart-limit", value: model.limit });

  const count = h("p", { class: "smart-count", "data-testid": "smart-count", "aria-live": "polite", "data-count": "" });
  const problem = h("p", { class: "error-text smart-error", role: "alert", "data-testid": "smart-error" });
  const sample = h("ol", { class: "smart-sample", "aria-label": "The first tracks that match" });

  // MARK: Drawing the rules

  const render = () => {
    rulesBox.replaceChildren(groupView(model.root, null, 1));
  };

  const groupView = (group, parent, depth) => {
    const modeId = uid("smart-mode");
    const mode = h("select", { id: modeId, "data-testid": "smart-mode", "aria-label": depth === 1 ? "Match" : "This group matches",
      onchange: () => {
        group.mode = mode.value;
        box.dataset.mode = group.mode;
        changed();
      } },
      h("option", { value: "all" }, "all"), h("option", { value: "any" }, "any"));
    mode.value = group.mode;
    const list = h("ul", { class: "smart-children" },
      group.children.map((child) => h("li", {},
        child.type === "group" ? groupView(child, group, depth + 1)
          : child.type === "raw" ? rawView(child, group)
          : ruleView(child, group))));
    if (!group.children.length) list.append(h("li", { class: "empty" }, "No rules: add one."));
    const addRule = h("button", { type: "button", "data-testid": "smart-add-rule", onclick: () => {
      group.children.push(newRule());
      render();
      focusLast();
      changed();
    } }, icon("plus"), "Rule");
    const addGroup = depth < MAX_DEPTH
      ? h("button", { type: "button", "data-testid": "smart-add-group", onclick: () => {
          group.children.push(newGroup(group.mode === "all" ? "any" : "all"));
          render();
          changed();
        } }, icon("plus"), "Group")
      : null;
    const remove = parent
      ? h("button", { type: "button", class: "icon-btn", "data-testid": "smart-remove-group", "aria-label": "Remove this group",
          title: "Remove this group", onclick: () => {
            parent.children.splice(parent.children.indexOf(group), 1);
            render();
            changed();
          } }, icon("trash"))
      : null;
    const box = h("div", { class: `smart-group${parent ? " nested" : ""}`, "data-testid": "smart-group", "data-mode": group.mode,
      "data-depth": String(depth), role: "group", "aria-label": depth === 1 ? "Rules" : "A group of rules" },
      h("div", { class: "smart-group-head" },
        h("span", {}, depth === 1 ? "Tracks that match" : "Matches"), mode,
        h("span", {}, depth === 1 ? "of these rules:" : "of:"), remove),
      list,
      h("div", { class: "row" }, addRule, addGroup));
    return box;
  };
  // A new rule's field select takes the focus.
  const focusLast = () => {
    const fields = rulesBox.querySelectorAll('[data-testid="smart-field"]');
    fields[fields.length - 1]?.focus();
  };

  const rawView = (node, group) => h("div", { class: "smart-rule", "data-testid": "smart-rule" },
    h("code", { class: "smart-raw" }, JSON.stringify(node.json)),
    h("button", { type: "button", class: "icon-btn", "data-testid": "smart-remove-rule", "aria-label": "Remove this rule",
      onclick: () => {
        group.children.splice(group.children.indexOf(node), 1);
        render();
        changed();
      } }, icon("trash")));

  const ruleView = (rule, group) => {
    const kind = KIND[rule.field];
    const ref = uid("rule"); // finds this rule's selects again after drawing them anew
    const field = h("select", { "data-testid": "smart-field", "aria-label": "Field" },
      FIELDS.map(([k, fields]) => h("optgroup", { label: KIND_LABELS[k] },
        fields.map(([value, label]) => h("option", { value }, label)))));
    field.value = rule.field;
    const ops = [...OPERATORS[kind]];
    if (kind === "date" && ["gt", "lt"].includes(rule.op)) ops.push(rule.op);
    const op = h("select", { "data-testid": "smart-operator", "aria-label": "Comparison" },
      ops.map((value) => h("option", { value }, (kind === "date" && DATE_LABELS[value]) || OPERATOR_LABELS[value])));
    op.value = rule.op;
    field.addEventListener("change", () => {
      const nextKind = KIND[field.value];
      rule.field = field.value;
      if (nextKind !== kind) {
        rule.op = OPERATORS[nextKind][0];
        rule.value = defaultValue(nextKind, rule.op);
      }
      render();
      rulesBox.querySelectorAll('[data-testid="smart-field"]').forEach((el) => { if (el.dataset.ref === ref) el.focus(); });
      changed();
    });
    op.addEventListener("change", () => {
      const before = rule.op;
      rule.op = op.value;
      const shape = (o) => (o === "inTheRange" ? "range" : o === "inTheLast" || o === "notInTheLast" ? "days" : "one");
      if (shape(before) !== shape(rule.op)) rule.value = defaultValue(kind, rule.op);
      render();
      rulesBox.querySelectorAll('[data-testid="smart-operator"]').forEach((el) => { if (el.dataset.ref === ref) el.focus(); });
      changed();
    });
    field.dataset.ref = ref;
    op.dataset.ref = ref;
    const remove = h("button", { type: "button", class: "icon-btn", "data-testid": "smart-remove-rule", "aria-label": "Remove this rule",
      title: "Remove this rule", onclick: () => {
        group.children.splice(group.children.indexOf(rule), 1);
        render();
        changed();
      } }, icon("trash"));
    return h("div", { class: "smart-rule", "data-testid": "smart-rule", "data-field": rule.field, "data-operator": rule.op },
      field, op, valueView(rule, kind), remove);
  };

  const valueView = (rule, kind) => {
    const label = KIND_LABELS[kind];
    const input = (attrs, get, set) => {
      const el = h("input", { "data-testid": "smart-value", ...attrs });
      get(el);
      el.addEventListener("input", () => {
        set(el);
        changed();
      });
      return el;
    };
    const typeOf = kind === "number" ? { type: "number", step: "any", inputmode: "decimal" } : kind === "date" ? { type: "date" } : { type: "text" };
    if (rule.op === "inTheLast" || rule.op === "notInTheLast") {
      return h("span", { class: "smart-value" },
        input({ type: "number", min: 1, max: 36500, step: 1, inputmode: "numeric", "aria-label": "Days", class: "days" },
          (el) => { el.value = String(rule.value); }, (el) => { rule.value = el.value; }),
        h("span", {}, "days"));
    }
    if (rule.op === "inTheRange") {
      if (!Array.isArray(rule.value)) rule.value = defaultValue(kind, "inTheRange");
      return h("span", { class: "smart-value" },
        input({ ...typeOf, "aria-label": "From", "data-part": "low" }, (el) => { el.value = rule.value[0]; }, (el) => { rule.value[0] = el.value; }),
        h("span", {}, "and"),
        input({ ...typeOf, "aria-label": "To", "data-part": "high" }, (el) => { el.value = rule.value[1]; }, (el) => { rule.value[1] = el.value; }));
    }
    if (kind === "bool") {
      const box = h("input", { type: "checkbox", "data-testid": "smart-value", checked: rule.value === true });
      box.addEventListener("change", () => {
        rule.value = box.checked;
        changed();
      });
      return h("label", { class: "check smart-value" }, box, "yes");
    }
    if (kind === "playlist") {
      const select = h("select", { "data-testid": "smart-value", "aria-label": "Playlist" },
        h("option", { value: "" }, "Choose a playlist"),
        playlists.filter((p) => p.id !== playlist?.id).map((p) => h("option", { value: p.id }, p.name)));
      if (rule.value && !playlists.some((p) => p.id === rule.value)) select.append(h("option", { value: rule.value }, rule.value));
      select.value = rule.value ?? "";
      select.addEventListener("change", () => {
        rule.value = select.value;
        changed();
      });
      return h("span", { class: "smart-value" }, select);
    }
    return h("span", { class: "smart-value" },
      input({ ...typeOf, "aria-label": `${label} value`, maxlength: kind === "text" ? 500 : null },
        (el) => { el.value = rule.value; }, (el) => { rule.value = el.value; }));
  };

  // MARK: The live count

  let asked = 0;
  const preview = debounce(async () => {
    const ticket = ++asked;
    const rules = toNsp(model);
    count.setAttribute("aria-busy", "true");
    try {
      const answer = await api("/smart-playlists/preview", { method: "POST", body: { rules }, signal });
      if (ticket !== asked) return;
      problem.textContent = "";
      count.textContent = `${plural(answer.count ?? 0, "track")} match${answer.count === 1 ? "es" : ""}`;
      count.dataset.count = String(answer.count ?? 0);
      sample.replaceChildren(...listOf(answer.tracks).slice(0, 8).map((t) =>
        h("li", {}, h("span", { class: "title" }, t.title), t.artist ? h("span", { class: "sub" }, ` · ${t.artist}`) : null)));
      if ((answer.count ?? 0) > 8) sample.append(h("li", { class: "sub" }, `and ${answer.count - 8} more`));
    } catch (error) {
      if (error.name === "AbortError" || ticket !== asked) return;
      problem.textContent = error.message;
      count.textContent = "The rules cannot be used yet.";
      count.dataset.count = "";
      sample.replaceChildren();
    } finally {
      if (ticket === asked) count.removeAttribute("aria-busy");
    }
  }, 300);
  const changed = () => {
    count.setAttribute("aria-busy", "true");
    preview();
  };
  sortSelect.addEventListener("change", () => {
    model.sort = sortSelect.value;
    orderSelect.disabled = !model.sort;
    changed();
  });
  orderSelect.disabled = !model.sort;
  orderSelect.addEventListener("change", () => {
    model.order = orderSelect.value;
    changed();
  });
  limitInput.addEventListener("input", () => {
    model.limit = limitInput.value;
    changed();
  });

  // MARK: Saving

  const saveButton = h("button", { type: "submit", class: "primary", "data-testid": "smart-save" }, playlist ? "Save rules" : "Create");
  const form = h("form", { class: "smart-editor panel", "data-testid": "smart-editor", "aria-label": playlist ? "Edit the rules" : "New smart playlist" },
    h("h2", {}, playlist ? "Rules" : "New smart playlist"),
    h("div", { class: "smart-meta" },
      h("div", { class: "field" }, h("label", { for: nameInput.id }, "Name"), nameInput),
      h("div", { class: "field" }, h("label", { for: commentInput.id }, "Comment"), commentInput),
      h("label", { class: "check" }, publicBox, "Public")),
    rulesBox,
    h("div", { class: "smart-sorting" },
      h("div", { class: "field" }, h("label", { for: sortSelect.id }, "Sort by"), h("div", { class: "row" }, sortSelect, orderSelect)),
      h("div", { class: "field" }, h("label", { for: limitInput.id }, "At most (tracks)"), limitInput)),
    count, problem, sample,
    h("div", { class: "actions" }, saveButton,
      h("button", { type: "button", "data-testid": "smart-cancel", onclick: () => onCancel?.() }, "Cancel")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      nameInput.focus();
      return;
    }
    // An empty comment clears the one saved (a new playlist simply has none).
    const comment = commentInput.value.trim() || (playlist ? "" : undefined);
    const body = { name, comment, public: publicBox.checked, rules: toNsp(model) };
    saveButton.disabled = true;
    try {
      const saved = playlist
        ? await api(`/smart-playlists/${enc(playlist.id)}`, { method: "PUT", body })
        : await api("/smart-playlists", { method: "POST", body });
      problem.textContent = "";
      announce(playlist ? `Saved the rules of ${saved.name}.` : `Created the smart playlist ${saved.name}.`);
      onSaved?.(saved);
    } catch (error) {
      if (error.name === "AbortError") return;
      problem.textContent = error.message;
      announce(`Saving the smart playlist: ${error.message}`, { error: true });
    } finally {
      saveButton.disabled = false;
    }
  });

  render();
  preview();
  // The playlists the inPlaylist rules can name.
  api("/playlists", { signal }).then((page) => {
    playlists = listOf(page);
    if (rulesBox.querySelector('[data-field="playlist"]')) render();
  }).catch(() => {});
  return { el: form, focus: () => nameInput.focus() };
}
