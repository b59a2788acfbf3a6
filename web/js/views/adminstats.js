// Admin: the server's activity (plays and streams per hour, totals, formats, caches, clients,
// the library's growth, the last scans, the slowest requests) and how the recommenders' picks
// are received, overall and per listener, with each listener's blend weights.

import { api, listOf, qs } from "../api.js";
import { barChart, barList, meter } from "../charts.js";
import { fill, h, icon, plural } from "../dom.js";

const HOUR_WINDOWS = [[24, "Last 24 hours"], [48, "Last 48 hours"], [168, "Last 7 days"], [720, "Last 30 days"]];
const DAY_WINDOWS = [[7, "Last 7 days"], [30, "Last 30 days"], [90, "Last 90 days"], [365, "Last 12 months"]];

// MARK: - Server activity

export function serverActivitySection(signal) {
  let hours = 48;
  const part = section({
    id: "admin-activity", title: "Server activity", testid: "admin-server-stats", key: "activity",
    windows: HOUR_WINDOWS, initial: hours, load: (value) => {
      hours = value;
      return run(part, signal, async (loads) => renderActivity(part, await api(`/admin/stats${qs({ hours })}`, { signal: loads }), hours, signal));
    },
  });
  part.reload();
  return part.el;
}

function renderActivity(part, data, hours, signal) {
  const slots = data.hours ?? [];
  const sum = (key) => slots.reduce((total, slot) => total + (slot[key] ?? 0), 0);
  part.range.textContent = `Since ${dateTime(data.since)} (${HOUR_WINDOWS.find(([value]) => value === hours)?.[1].toLowerCase() ?? plural(hours, "hour")}).`;

  // Per hour up to a week; a month of hours is too thin to read, so per day.
  const daily = hours > 168;
  const buckets = daily ? byDay(slots) : slots.map((slot) => ({ ...slot, start: new Date(slot.hour) }));
  const every = hours <= 24 ? 3 : hours <= 48 ? 6 : 24;
  const labels = buckets.map((bucket) => (daily ? dayName(bucket.start) : hourName(bucket.start)));
  const ticks = buckets.map((bucket) => {
    if (daily) return fmt({ day: "numeric", month: "short" }, bucket.start);
    const hour = bucket.start.getHours();
    if (hour % every !== 0) return "";
    return hour === 0 ? fmt({ day: "numeric", month: "short" }, bucket.start) : fmt({ hour: "numeric", minute: "2-digit" }, bucket.start);
  });
  const unit = daily ? "day" : "hour";
  const active = sum("plays") + sum("streams") > 0;

  const counts = (list, noun, label, testid, empty) => barList(
    listOf(list).map((entry) => ({ id: entry.name, name: entry.name, value: entry.count, valueText: plural(entry.count, noun) })),
    { label, testid, itemTestid: `${testid}-item`, empty });

  const library = data.library ?? { tracks: 0, albums: 0, artists: 0, growth: [] };
  const months = monthsOf(library.growth ?? []).slice(-36);

  fill(part.content,
    h("dl", { class: "stat-grid" },
      fact("Plays", sum("plays"), "admin-stats-plays"),
      fact("Skips", sum("skips"), "admin-stats-skips"),
      fact("Streams", sum("streams"), "admin-stats-streams"),
      fact("Transcodes", sum("transcodes"), "admin-stats-transcodes"),
      fact("Data served", data.bytesServed, "admin-stats-bytes", fmtBytes(data.bytesServed)),
      fact("Active listeners", data.activeListeners, "admin-stats-listeners")),

    h("h3", {}, `Plays and streams per ${unit}`),
    active
      ? barChart({
        title: `Plays and streams per ${unit} since ${dateTime(data.since)}`, labels, ticks, grouped: true, integer: true, signal,
        series: [{ name: "Plays", values: buckets.map((bucket) => bucket.plays) }, { name: "Streams", values: buckets.map((bucket) => bucket.streams) }],
        testid: "admin-stats-chart",
        table: {
          columns: [daily ? "Day" : "Hour", "Plays", "Skips", "Streams", "Transcodes", "Data served"],
          rows: buckets.map((bucket, i) => [labels[i], bucket.plays, bucket.skips, bucket.streams, bucket.transcodes, fmtBytes(bucket.bytes)]),
        },
      })
      : h("p", { class: "empty", "data-testid": "admin-stats-chart-empty" }, "Nothing was played or streamed in this window."),

    h("div", { class: "stats-columns" },
      h("div", {}, h("h3", {}, "Streams by format"),
        counts(data.streamsByFormat, "stream", "Streams by format", "admin-stream-formats", "No streams in this window.")),
      h("div", {}, h("h3", {}, "Transcodes by format"),
        counts(data.transcodesByFormat, "transcode", "Transcodes by format", "admin-transcode-formats", "Nothing was transcoded in this window.")),
      h("div", {}, h("h3", {}, "Top clients"),
        counts(data.topClients, "play", "Top clients by plays", "admin-top-clients", "No plays from any app in this window."))),

    h("h3", {}, "Caches"),
    h("dl", { class: "stat-grid small cache-grid", "data-testid": "admin-caches" },
      listOf(data.caches).map((cache) => {
        const rate = cache.hitRate;
        return h("div", { class: "stat", "data-testid": "admin-cache", "data-cache": cache.name },
          h("dt", {}, `${cacheName(cache.name)} hit rate`),
          h("dd", {},
            h("span", { class: "stat-value", "data-testid": `admin-cache-${cache.name}` }, rate == null ? "—" : percent(rate)),
            rate == null ? null : meter(rate),
            h("span", { class: "meta" }, cache.hits + cache.misses
              ? `${plural(cache.hits, "hit")}, ${plural(cache.misses, "miss", "misses")}`
              : "Not used in this window.")));
      })),

    h("h3", {}, "Library"),
    h("dl", { class: "stat-grid small", "data-testid": "admin-library" },
      fact("Tracks", library.tracks, "admin-library-tracks"),
      fact("Albums", library.albums, "admin-library-albums"),
      fact("Artists", library.artists, "admin-library-artists")),
    h("p", { class: "meta" }, "Albums added per month"),
    months.length
      ? barChart({
        title: "Albums added per month", labels: months.map((month) => monthName(month.name, { month: "long", year: "numeric" })),
        ticks: months.map((month) => monthName(month.name, { month: "short", year: "numeric" })),
        series: [{ name: "Albums added", values: months.map((month) => month.count) }], integer: true, height: 160, signal,
        testid: "admin-library-growth",
      })
      : h("p", { class: "empty" }, "No albums added yet."),

    h("h3", { id: "admin-scans-head" }, "Last scans"),
    listOf(data.scans).length
      ? table("admin-scans-head", "admin-scans-table",
        ["Finished", figures("Took"), figures("Added"), figures("Updated"), figures("Removed"), figures("Errors")],
        listOf(data.scans).map((scan) => h("tr", { "data-testid": "admin-scan-row" },
          h("th", { scope: "row" }, shortDateTime(scan.finishedAt),
            scan.cancelled ? h("span", { class: "tag" }, "cancelled") : null),
          num(fmtSeconds(scan.seconds)), num(scan.added), num(scan.updated), num(scan.removed),
          num(scan.errors, scan.errors ? "error-text" : null))))
      : h("p", { class: "empty", "data-testid": "admin-scans-empty" }, "No scan has finished yet."),

    h("h3", { id: "admin-slow-head" }, "Slowest requests"),
    listOf(data.slowRequests).length
      ? table("admin-slow-head", "admin-slow-table",
        ["Method", "Path", figures("Status"), figures("Time (ms)"), "When"],
        listOf(data.slowRequests).map((request) => h("tr", { "data-testid": "admin-slow-row" },
          h("th", { scope: "row" }, request.method),
          h("td", { class: "path" }, h("code", {}, request.path)),
          num(request.status, request.status >= 500 ? "error-text" : null),
          num(Math.round(request.milliseconds)),
          h("td", { class: "nowrap" }, shortDateTime(request.at)))))
      : h("p", { class: "empty", "data-testid": "admin-slow-empty" }, "No slow requests in this window."));
}

/** The hours summed per local day, oldest first. */
function byDay(slots) {
  const days = new Map();
  for (const slot of slots) {
    const start = new Date(slot.hour);
    const key = `${start.getFullYear()}-${start.getMonth()}-${start.getDate()}`;
    const day = days.get(key) ?? { start: new Date(start.getFullYear(), start.getMonth(), start.getDate()), plays: 0, skips: 0, streams: 0, transcodes: 0, bytes: 0 };
    for (const field of ["plays", "skips", "streams", "transcodes", "bytes"]) day[field] += slot[field] ?? 0;
    days.set(key, day);
  }
  return [...days.values()];
}

/** Every month from the first with an album added to the last ("2026-03"), the missing ones at 0. */
function monthsOf(growth) {
  const sorted = [...growth].filter((entry) => /^\d{4}-\d{2}$/.test(entry.name)).sort((a, b) => a.name.localeCompare(b.name));
  if (!sorted.length) return [];
  const counts = new Map(sorted.map((entry) => [entry.name, entry.count]));
  const [firstYear, firstMonth] = sorted[0].name.split("-").map(Number);
  const [lastYear, lastMonth] = sorted[sorted.length - 1].name.split("-").map(Number);
  const months = [];
  for (let year = firstYear, month = firstMonth; year < lastYear || (year === lastYear && month <= lastMonth);) {
    const name = `${year}-${String(month).padStart(2, "0")}`;
    months.push({ name, count: counts.get(name) ?? 0 });
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

const cacheName = (name) => ({ transcodes: "Transcode cache", covers: "Cover cache" }[name] ?? `${name.charAt(0).toUpperCase()}${name.slice(1)} cache`);

// MARK: - Recommendations

export function recommendationsSection(signal) {
  let days = 30;
  let names = null; // plugin id → name, asked once
  const part = section({
    id: "admin-recommendations", title: "Recommendations", testid: "admin-recommendations", key: "recs",
    windows: DAY_WINDOWS, initial: days, load: (value) => {
      days = value;
      return run(part, signal, async (loads) => {
        names ??= api("/admin/plugins", { signal })
          .then((plugins) => new Map(listOf(plugins).map((plugin) => [(plugin.descriptor ?? plugin).id, (plugin.descriptor ?? plugin).name])))
          .catch(() => new Map());
        const [data, plugins] = await Promise.all([api(`/admin/recommendations${qs({ days })}`, { signal: loads }), names]);
        renderRecommendations(part, data, days, plugins);
      });
    },
  });
  part.reload();
  return part.el;
}

function renderRecommendations(part, data, days, plugins) {
  part.range.textContent = `Since ${dateTime(data.since)} (${DAY_WINDOWS.find(([value]) => value === days)?.[1].toLowerCase() ?? plural(days, "day")}).`;
  const sourceName = (source) => ({ taste: "Own favourites", catalog: "Catalog" }[source] ?? plugins.get(source) ?? source);
  const sources = listOf(data.sources);
  const listeners = listOf(data.listeners);
  const thumb = (name, said) => [icon(name, "icon small"), h("span", { class: "visually-hidden" }, said)];

  fill(part.content,
    h("p", { class: "adapt-state", "data-testid": "admin-recs-adaptive", "data-adaptive": String(Boolean(data.adaptive)) },
      h("strong", {}, data.adaptive ? "Adaptation is on." : "Adaptation is off."), " ",
      data.adaptive
        ? "Each listener's weights follow how their picks are received: more of what they play, less of what they skip."
        : "Every listener keeps the configured weights (turn it on with adapt = true under [recommendations] in the configuration file)."),
    h("h3", { id: "admin-recs-head" }, "By recommender"),
    sources.length
      ? table("admin-recs-head", "admin-recs-table",
        ["Recommender", ...["Shown", "Played", "Skipped", "Stars", thumb("thumbUp", "Thumbs up"), thumb("thumbDown", "Thumbs down"),
          "Acceptance", "Skip rate", "Minutes"].map(figures)],
        sources.map((row) => h("tr", { "data-testid": "admin-rec-row", "data-source": row.source },
          h("th", { scope: "row" }, h("span", { class: "source-name" }, sourceName(row.source)),
            sourceName(row.source) !== row.source ? h("code", { class: "sub" }, row.source) : null),
          num(row.shown, null, "admin-rec-shown"), num(row.played), num(row.skipped), num(row.starred),
          num(row.thumbsUp), num(row.thumbsDown),
          h("td", { class: "num share" }, percent(row.acceptance), meter(row.acceptance)),
          num(percent(row.skipRate)), num(fmtNumber(row.minutes, 1)))))
      : h("p", { class: "empty", "data-testid": "admin-recs-empty" }, `Nothing was recommended in the last ${plural(days, "day")}.`),
    h("p", { class: "meta" }, "Acceptance: the share of picks shown that were played. Skip rate: the share of those started that were skipped."),

    h("h3", {}, "By listener"),
    listeners.length
      ? h("div", { class: "stats-columns listener-tables" }, listeners.map((listener) => {
        const headId = `admin-recs-listener-${listener.userId}`;
        return h("div", { class: "admin-listener", "data-testid": "admin-rec-listener", "data-user-id": listener.userId },
          h("h4", { id: headId }, listener.username),
          table(headId, "admin-rec-listener-table", ["Source", figures("Shown"), figures("Acceptance"), figures("Weight")],
            listOf(listener.sources).map((row) => h("tr", { "data-testid": "admin-rec-listener-row", "data-source": row.source },
              h("th", { scope: "row" }, sourceName(row.source)),
              num(row.shown),
              num(percent(row.acceptance)),
              num(row.weight == null ? "—" : fmtNumber(row.weight, 2), null, "admin-rec-weight")))));
      }))
      : h("p", { class: "empty" }, "No listener was shown recommendations in this window."),
    listeners.length ? h("p", { class: "meta" }, "Weight: how much the recommender counts in that listener's blend now.") : null);
}

// MARK: - Pieces

/** A panel with a heading, a window picker, a Refresh button, a line saying the window, and content. */
function section({ id, title, testid, key, windows, initial, load }) {
  const headId = `${id}-head`;
  const selectId = `${id}-window`;
  const select = h("select", { id: selectId, "data-testid": `admin-${key}-window`, value: String(initial) },
    windows.map(([value, label]) => h("option", { value: String(value) }, label)));
  const refresh = h("button", { type: "button", "data-testid": `admin-${key}-refresh` }, "Refresh");
  const range = h("p", { class: "meta", "aria-live": "polite", "data-testid": `admin-${key}-range` });
  const content = h("div", { class: "stats-content" });
  const body = h("div", {}, range, content);
  const el = h("section", { class: "panel stats-section", id, "aria-labelledby": headId, "data-testid": testid },
    h("div", { class: "section-head" }, h("h2", { id: headId }, title),
      h("div", { class: "toolbar" }, h("label", { for: selectId }, "Window"), select, refresh)),
    body);
  const part = { el, body, content, range, refresh, reload: () => load(Number(select.value)) };
  select.addEventListener("change", part.reload);
  refresh.addEventListener("click", part.reload);
  return part;
}

/** Runs a section's loader (the one before it cancelled): busy meanwhile, its failure said in it. */
async function run(part, signal, work) {
  part.loads?.abort();
  const loads = new AbortController();
  part.loads = loads;
  signal.addEventListener("abort", () => loads.abort(), { once: true });
  part.body.setAttribute("aria-busy", "true");
  part.refresh.disabled = true;
  try {
    await work(loads.signal);
  } catch (error) {
    if (error?.name === "AbortError" || loads.signal.aborted) return;
    fill(part.content, h("p", { class: "error-text", "data-testid": "admin-stats-error" }, `Could not load: ${error.message}`));
  } finally {
    if (part.loads === loads) {
      part.body.removeAttribute("aria-busy");
      part.refresh.disabled = false;
    }
  }
}

function fact(label, value, testid, text = fmtNumber(value)) {
  return h("div", { class: "stat" }, h("dt", {}, label),
    h("dd", {}, h("span", { class: "stat-value", "data-testid": testid, "data-value": value ?? 0 }, text)));
}

/**
 * A table labelled by a heading: header cells (text or nodes, or figures(label) for a column of
 * figures, aligned right), rows as <tr>s, the first column kept in view. Its box scrolls sideways when too wide,
 * and can be focused to scroll with the keys.
 */
function table(headId, testid, columns, rows) {
  return h("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-labelledby": headId },
    h("table", { class: "table compact sticky-first", "data-testid": testid, "aria-labelledby": headId },
      h("thead", {}, h("tr", {}, columns.map((column) => (column?.figures
        ? h("th", { scope: "col", class: "num" }, column.label)
        : h("th", { scope: "col" }, column))))),
      h("tbody", {}, rows)));
}

const figures = (label) => ({ figures: true, label });
const num = (value, className = null, testid = null) =>
  h("td", { class: className ? `num ${className}` : "num", "data-testid": testid }, typeof value === "number" ? fmtNumber(value) : value);

// MARK: - Formats

const fmt = (options, date) => new Intl.DateTimeFormat(undefined, options).format(date);
const fmtNumber = (value, digits = 0) => Number(value ?? 0).toLocaleString(undefined, { maximumFractionDigits: digits });
const percent = (part) => `${Math.round(100 * (part ?? 0))}%`;
const dateTime = (iso) => (iso ? fmt({ day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }, new Date(iso)) : "—");
const shortDateTime = (iso) => (iso ? fmt({ day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }, new Date(iso)) : "—");
const dayName = (date) => fmt({ weekday: "short", day: "numeric", month: "short", year: "numeric" }, date);
const monthName = (month, options) => new Intl.DateTimeFormat(undefined, { timeZone: "UTC", ...options }).format(new Date(`${month}-01T00:00:00Z`));

/** "Fri 5 Dec, 14:00–15:00" (local time). */
function hourName(start) {
  const end = new Date(start.getTime() + 3_600_000);
  const time = (date) => fmt({ hour: "2-digit", minute: "2-digit" }, date);
  return `${fmt({ weekday: "short", day: "numeric", month: "short" }, start)}, ${time(start)}–${time(end)}`;
}

/** "0.8 s", "12 s", "3 min 5 s". */
function fmtSeconds(seconds) {
  const value = Number(seconds) || 0;
  if (value < 10) return `${fmtNumber(value, value < 1 ? 2 : 1)} s`;
  const whole = Math.round(value);
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** Bytes in decimal units: "950 B", "12.3 MB", "1.2 GB". */
export function fmtBytes(bytes) {
  let value = Number(bytes) || 0;
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${fmtNumber(value, unit === 0 ? 0 : value < 10 ? 2 : 1)} ${units[unit]}`;
}
