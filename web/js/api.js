// Fetch wrapper for the native API: JSON in and out, the session cookie, errors as ApiError
// carrying the server's message; a 401 hands over to the login view.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let unauthorizedHandler = () => {};

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * api("/albums?…") → parsed JSON (null for 204, text for non-JSON bodies).
 * options: method, body (JSON-encoded unless raw), raw (a Blob/string sent as is),
 * contentType (for raw bodies), signal, keepalive, quiet401 (do not open the login view).
 */
export async function api(path, options = {}) {
  const { method = "GET", body, raw, contentType, signal, keepalive, quiet401 } = options;
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" }, signal, keepalive };
  if (raw !== undefined) {
    init.body = raw;
    if (contentType) init.headers["Content-Type"] = contentType;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch("/api/v1" + path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server cannot be reached.");
  }
  if (!response.ok) {
    let code = "http_" + response.status;
    let message = `${response.status} ${response.statusText}`.trim();
    try {
      const payload = await response.json();
      // The API says {error: {code, message}}; a plugin's own routes may say {error: "message"}.
      if (typeof payload?.error === "string") {
        message = payload.error || message;
      } else {
        code = payload?.error?.code ?? code;
        message = payload?.error?.message ?? message;
      }
    } catch {
      // not JSON: keep the status line
    }
    if (response.status === 401 && !quiet401) unauthorizedHandler();
    throw new ApiError(response.status, code, message);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("json")) return response.json();
  const text = await response.text();
  return text === "" ? null : text;
}

export const get = (path, options) => api(path, options);
export const post = (path, body, options) => api(path, { ...options, method: "POST", body });
export const put = (path, body, options) => api(path, { ...options, method: "PUT", body });
export const patch = (path, body, options) => api(path, { ...options, method: "PATCH", body });
export const del = (path, options) => api(path, { ...options, method: "DELETE" });

/** "?a=1&b=x" from an object, skipping null/undefined/"" values. Spaces become %20, not "+". */
export function qs(params) {
  const parts = [];
  for (const [key, value] of Object.entries(params)) {
    if (value == null || value === "") continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? "?" + parts.join("&") : "";
}

export const enc = encodeURIComponent;
export const coverUrl = (id, size = 300) => `/api/v1/covers/${enc(id)}?size=${size}`;

/** What shapes this browser's streams (who listens, their plan, their quality settings), in short. */
let streamVariant = "";

/** Sets the stream variant: it goes into every stream URL, so the browser's cache (which keeps a raw
 * file's answer) never hands one listener's stream, or a stream of another plan, to the next. */
export function setStreamVariant(value) {
  streamVariant = value ?? "";
}

/** A track's stream; params: offset (seconds, for a transcode started part-way). */
export const streamUrl = (id, params = {}) => `/api/v1/tracks/${enc(id)}/stream${qs({ ...params, v: streamVariant })}`;

/** The items of a list: every API list comes as one page shape ({items, offset, limit, more, total?});
 * an array inside another answer (search results' artists, an album's genres) is taken as it is. */
export const listOf = (value, key = "items") => (Array.isArray(value) ? value : value?.[key] ?? []);

/** The tracks of a list of picks (radio, sonic path): each carries why it was picked (track.reason). */
export const pickedTracks = (page) => listOf(page).map((pick) => ({ ...pick.track, reason: pick.reason }));
