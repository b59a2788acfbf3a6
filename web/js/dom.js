// Tiny DOM helpers. Text always goes in through text nodes, never innerHTML.

const PROPS = new Set(["value", "checked", "selected", "indeterminate", "disabled", "hidden", "multiple"]);

/** h("button", {class: "x", onclick: fn, "aria-label": "Play"}, "text", child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const late = [];
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "style") {
      Object.assign(el.style, value); // CSSOM is allowed by the CSP, style="" attributes are not
    } else if (PROPS.has(key)) {
      late.push([key, value]);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, ...children);
  for (const [key, value] of late) el[key] = value; // after children, so <select value> works
  return el;
}

/** Appends strings (as text), nodes and (nested) arrays; skips null/false (unlike Element.append). */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Replaces the children of parent, skipping null/false like append. */
export function fill(parent, ...children) {
  return append(clear(parent), ...children);
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Icons: small inline SVGs drawn here (24×24 grid). "s" paths are stroked, "f" paths filled. */
const ICONS = {
  play: [["f", "M8 5.5v13l10.5-6.5z"]],
  pause: [["f", "M6.5 5h4v14h-4zM13.5 5h4v14h-4z"]],
  prev: [["f", "M6 5h2.2v14H6zM19 5.5v13L9.5 12z"]],
  next: [["f", "M15.8 5H18v14h-2.2zM5 5.5v13L14.5 12z"]],
  shuffle: [["s", "M3 7h3.5c2 0 3 1 4.2 2.8l2.6 4.4C14.5 16 15.5 17 17.5 17H21M3 17h3.5c1.3 0 2.2-.5 3-1.4M14.5 8.4c.8-.9 1.7-1.4 3-1.4H21M18 4l3 3-3 3M18 14l3 3-3 3"]],
  repeat: [["s", "M4 12V9.5A3.5 3.5 0 0 1 7.5 6H20M17 3l3 3-3 3M20 12v2.5a3.5 3.5 0 0 1-3.5 3.5H4M7 21l-3-3 3-3"]],
  repeatOne: [["s", "M4 12V9.5A3.5 3.5 0 0 1 7.5 6H20M17 3l3 3-3 3M20 12v2.5a3.5 3.5 0 0 1-3.5 3.5H4M7 21l-3-3 3-3"], ["f", "M11 10h2v5h-1.5v-3.3H11z"]],
  volume: [["f", "M3 9.5h4L12 5v14l-5-4.5H3z"], ["s", "M15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11"]],
  mute: [["f", "M3 9.5h4L12 5v14l-5-4.5H3z"], ["s", "M16 9.5l5 5M21 9.5l-5 5"]],
  star: [["f", "M12 2.8l2.8 6 6.5.7-4.9 4.4 1.4 6.4L12 17l-5.8 3.3 1.4-6.4-4.9-4.4 6.5-.7z"]],
  starOutline: [["s", "M12 3.8l2.5 5.3 5.8.6-4.3 3.9 1.2 5.7L12 16.4l-5.2 2.9L8 13.6 3.7 9.7l5.8-.6z"]],
  menu: [["s", "M4 6.5h16M4 12h16M4 17.5h16"]],
  search: [["s", "M10.5 4a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zM15.5 15.5L20 20"]],
  plus: [["s", "M12 5v14M5 12h14"]],
  radio: [["s", "M5 9a10 10 0 0 1 14 0M8 12a6 6 0 0 1 8 0M12 15v5"], ["f", "M11 14.5a1 1 0 1 0 2 0a1 1 0 1 0-2 0"]],
  queue: [["s", "M4 6h12M4 11h12M4 16h7M18 13v7M14.5 16.5h7"]],
  playNext: [["s", "M4 6h12M4 11h8M4 16h8"], ["f", "M15 12.5v7l5.5-3.5z"]],
  up: [["s", "M6 14.5l6-6 6 6"]],
  down: [["s", "M6 9.5l6 6 6-6"]],
  close: [["s", "M6 6l12 12M18 6L6 18"]],
  trash: [["s", "M4 7h16M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13M10 11v5.5M14 11v5.5"]],
  more: [["f", "M5 10.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM12 10.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM19 10.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3z"]],
  grip: [["f", "M9 5h2v2H9zM13 5h2v2h-2zM9 11h2v2H9zM13 11h2v2h-2zM9 17h2v2H9zM13 17h2v2h-2z"]],
  devices: [["s", "M3 6.5A1.5 1.5 0 0 1 4.5 5h11A1.5 1.5 0 0 1 17 6.5V8M3 6.5v8A1.5 1.5 0 0 0 4.5 16H12M7 19h5M14.5 9h5A1.5 1.5 0 0 1 21 10.5v8a1.5 1.5 0 0 1-1.5 1.5h-5a1.5 1.5 0 0 1-1.5-1.5v-8A1.5 1.5 0 0 1 14.5 9zM17 17h0"]],
  listAdd: [["s", "M4 6h12M4 11h12M4 16h7M17 13v8M13 17h8"]],
  folder: [["s", "M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z"]],
  thumbUp: [["s", "M4 11h3v9H4zM7 11l4-7c1.2 0 2 .9 2 2v3.5h5.2a2 2 0 0 1 2 2.3l-1.1 6.5a2 2 0 0 1-2 1.7H7"]],
  thumbDown: [["s", "M4 13h3V4H4zM7 13l4 7c1.2 0 2-.9 2-2v-3.5h5.2a2 2 0 0 0 2-2.3l-1.1-6.5a2 2 0 0 0-2-1.7H7"]],
  note: [["s", "M9 18V5.5l10-2V16"], ["f", "M6.5 15.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zM16.5 13.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5z"]],
};

const SVG = "http://www.w3.org/2000/svg";

export function icon(name, className = "icon") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [kind, d] of ICONS[name] ?? []) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    if (kind === "s") {
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", "currentColor");
      path.setAttribute("stroke-width", "2");
      path.setAttribute("stroke-linecap", "round");
      path.setAttribute("stroke-linejoin", "round");
    } else {
      path.setAttribute("fill", "currentColor");
    }
    svg.append(path);
  }
  return svg;
}

/** Replaces the icon inside a button. */
export function setIcon(button, name) {
  button.querySelector("svg.icon")?.remove();
  button.prepend(icon(name));
}

// MARK: - Formatting

export function fmtTime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const s = Math.floor(seconds % 60);
  const m = Math.floor(seconds / 60) % 60;
  const hours = Math.floor(seconds / 3600);
  const ss = String(s).padStart(2, "0");
  return hours ? `${hours}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export const fmtMs = (ms) => fmtTime((ms ?? 0) / 1000);

export function fmtTotal(ms) {
  const minutes = Math.round((ms ?? 0) / 60000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function fmtDate(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export const plural = (n, one, many = one + "s") => `${n} ${n === 1 ? one : many}`;

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
