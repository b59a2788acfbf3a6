// Hash router: "#/album/42?x=1" → a view, without ever reloading the page.
// Each navigation renders into a fresh element and aborts the previous view's signal,
// so a slow, stale view writes into a detached node and its listeners/timers stop.

const routes = [];
let renderer = null;
let controller = null;

/** route("/album/:id", () => import("./views/album.js")) */
export function route(pattern, load) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ regex: new RegExp(`^${source}/?$`), names, load, pattern });
}

export function parse(hash = location.hash) {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  const [pathPart, queryPart = ""] = raw.split("?");
  const path = pathPart || "/";
  return { path, query: new URLSearchParams(queryPart) };
}

export function navigate(path, { replace = false } = {}) {
  const hash = "#" + path;
  if (replace) {
    history.replaceState(null, "", hash);
    render();
  } else if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

/** Updates the query of the current URL without re-rendering (filters, search text). */
export function setQuery(params) {
  const { path, query } = parse();
  for (const [key, value] of Object.entries(params)) {
    if (value == null || value === "") query.delete(key);
    else query.set(key, value);
  }
  const text = query.toString();
  history.replaceState(null, "", "#" + path + (text ? "?" + text : ""));
}

/** start(({path, query, params, pattern, load, signal}) => …) renders on every hash change. */
export function start(render) {
  renderer = render;
  window.addEventListener("hashchange", () => renderCurrent());
  renderCurrent();
}

export function render() {
  renderCurrent();
}

function renderCurrent() {
  if (!renderer) return;
  controller?.abort();
  controller = new AbortController();
  const { path, query } = parse();
  for (const candidate of routes) {
    const match = candidate.regex.exec(path);
    if (!match) continue;
    const params = {};
    candidate.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
    renderer({ path, query, params, pattern: candidate.pattern, load: candidate.load, signal: controller.signal });
    return;
  }
  renderer({ path, query, params: {}, pattern: null, load: null, signal: controller.signal });
}
