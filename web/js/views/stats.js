// Stats: your listening for a period (totals against the period before, plays over time, top
// tracks, artists, albums and genres with their moves, habits, how your taste moves) and the
// household's charts; every figure downloads as CSV or JSON. The period lives in the URL.

import { api, enc, qs } from "../api.js";
import { barChart, barList, heatmap, lineChart, meter } from "../charts.js";
import { append, fill, h, icon, plural } from "../dom.js";
import * as player from "../player.js";
import { setQuery } from "../router.js";
import { attempt } from "../ui.js";

const KINDS = [["tracks", "Tracks"], ["artists", "Artists"], ["albums", "Albums"], ["genres", "Genres"]];

export default async function statsView(view, { query, signal }) {
  const thisYear = new Date().getFullYear();
  const state = {
    period: query.get("period") || "30d",
    from: query.get("from") ?? "",
    to: query.get("to") ?? "",
    kind: KINDS.some(([kind]) => kind === query.get("kind")) ? query.get("kind") : "artists",
  };
  if (state.period === "custom" && !(state.from && state.to && state.from <= state.to)) state.period = "30d";

  // MARK: The period picker
  const options = [["7d", "Last 7 days"], ["30d", "Last 30 days"], ["90d", "Last 90 days"], ["12m", "Last 12 months"],
    [String(thisYear), `This year (${thisYear})`], [String(thisYear - 1), `Last year (${thisYear - 1})`],
    ["all", "All time"], ["custom", "Custom dates…"]];
  if (!options.some(([value]) => value === state.period)) options.splice(6, 0, [state.period, state.period]);
  const select = h("select", { id: "stats-period", "data-testid": "stats-period", value: state.period },
    options.map(([value, label]) => h("option", { value }, label)));
  const fromInput = h("input", { id: "stats-from", type: "date", required: true, value: state.from, "data-testid": "stats-from" });
  const toInput = h("input", { id: "stats-to", type: "date", required: true, value: state.to, "data-testid": "stats-to" });
  const customError = h("p", { class: "error-text", role: "alert" });
  const custom = h("form", { class: "inline-form stats-custom", hidden: state.period !== "custom", "data-testid": "stats-custom" },
    h("label", { for: "stats-from" }, "From"), fromInput,
    h("label", { for: "stats-to" }, "To"), toInput,
    h("button", { type: "submit", "data-testid": "stats-custom-apply" }, "Show"), customError);
  const range = h("p", { class: "meta", "data-testid": "stats-range", "aria-live": "polite" });
  const reviewLink = h("a", { class: "button", "data-testid": "stats-review-link" }, "Year in review");

  select.addEventListener("change", () => {
    custom.hidden = select.value !== "custom";
    if (select.value === "custom") {
      if (!fromInput.value) fromInput.value = isoDay(-29);
      if (!toInput.value) toInput.value = isoDay(0);
      fromInput.focus();
      return;
    }
    state.period = select.value;
    reload();
  });
  custom.addEventListener("submit", (event) => {
    event.preventDefault();
    if (fromInput.value > toInput.value) {
      customError.textContent = "The first day must come before the last.";
      return;
    }
    customError.textContent = "";
    Object.assign(state, { period: "custom", from: fromInput.value, to: toInput.value });
    reload();
  });

  // MARK: The sections
  const totals = section("totals", "Totals", "stats-totals");
  const listening = section("listening", "Listening over time", "stats-listening");
  const top = section("top", "Top of the period", "stats-top");
  const habits = section("habits", "Habits", "stats-habits");
  const taste = section("taste", "Taste over time", "stats-taste");
  const household = section("household", "The household", "stats-household");

  // Top: one tab per kind (arrow keys move between them), then the chart and what rose and fell.
  const tabs = KINDS.map(([kind, label]) => h("button", {
    type: "button", role: "tab", id: `stats-tab-${kind}`, "aria-controls": "stats-top-panel", "data-testid": `stats-top-tab-${kind}`,
    onclick: () => chooseKind(kind, false),
  }, label));
  const tabList = h("div", { class: "tabs stats-tabs", role: "tablist", "aria-label": "What to rank" }, tabs);
  const topPanel = h("div", { id: "stats-top-panel", role: "tabpanel", class: "stats-top-panel" });
  tabList.addEventListener("keydown", (event) => {
    const i = KINDS.findIndex(([kind]) => kind === state.kind);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: KINDS.length - 1 }[event.key];
    if (next == null) return;
    event.preventDefault();
    chooseKind(KINDS[(next + KINDS.length) % KINDS.length][0], true);
  });
  const markTabs = () => tabs.forEach((tab, i) => {
    const selected = KINDS[i][0] === state.kind;
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
    if (selected) topPanel.setAttribute("aria-labelledby", tab.id);
  });
  const chooseKind = (kind, focus) => {
    state.kind = kind;
    markTabs();
    if (focus) tabs[KINDS.findIndex(([k]) => k === kind)].focus();
    setQuery({ kind });
    run(top, () => loadTop());
  };
  markTabs();
  top.body.append(tabList, topPanel);

  append(view,
    h("div", { class: "page-head" }, h("h1", {}, "Stats"),
      h("div", { class: "toolbar" }, h("label", { for: "stats-period" }, "Period"), select, reviewLink)),
    custom, range,
    h("div", { class: "stats", "data-testid": "stats" },
      totals.el, listening.el, top.el, habits.el, taste.el, household.el));

  // MARK: Loading

  // Each change of period cancels what the one before was still loading.
  let loads = null;
  const params = () => (state.period === "custom" ? { period: "custom", from: state.from, to: state.to } : { period: state.period });

  signal.addEventListener("abort", () => loads?.abort());

  /** Runs a loader for one or more sections: busy meanwhile, its failure said in each. */
  async function run(parts, work) {
    parts = [parts].flat();
    for (const part of parts) part.body.setAttribute("aria-busy", "true");
    try {
      await work();
    } catch (error) {
      if (error?.name === "AbortError") return;
      for (const part of parts) {
        fill(part.content, h("p", { class: "error-text", "data-testid": "stats-error" }, `Could not load: ${error.message}`));
      }
    } finally {
      for (const part of parts) part.body.removeAttribute("aria-busy");
    }
  }

  async function loadListening() {
    const call = (unit) => api(`/me/stats/listening${qs({ ...params(), unit })}`, { signal: loads.signal });
    // The unit follows the period's length; all time's length is known only from the answer.
    let unit = unitFor(state);
    let data = await call(unit);
    const better = unitForDays(daysBetween(data.from, data.to));
    if (better !== unit) {
      unit = better;
      data = await call(unit);
    }
    if (loads.signal.aborted) return;
    range.textContent = data.from === data.to ? fmtDay(data.from) : `${fmtDay(data.from)} – ${fmtDay(data.to)}`;
    exports(totals, "/me/stats/listening", { ...params(), unit }, "listening");
    exports(listening, "/me/stats/listening", { ...params(), unit }, "listening");
    renderTotals(data);
    renderListening(data, unit);
  }

  function renderTotals(data) {
    const now = data.totals;
    const before = data.previous;
    const against = previousLabel(state, data);
    // More plays is shown as good news, more skips only as news.
    const figure = (key, label, value, text, testid, neutral = false) => {
      const old = before?.[key];
      const tone = (sign) => (neutral || !sign ? "" : sign > 0 ? "up" : "down");
      let change = null;
      if (before && old > 0) {
        const percent = Math.round(((value - old) / old) * 100);
        change = h("span", { class: `delta ${tone(Math.sign(percent))}`, "data-testid": `${testid}-change` },
          `${percent > 0 ? "+" : percent < 0 ? "−" : "±"}${Math.abs(percent)}% vs ${against}`);
      } else if (before && value > 0) {
        change = h("span", { class: `delta ${tone(1)}`, "data-testid": `${testid}-change` }, `up from 0 in the ${against}`);
      }
      return h("div", { class: "stat" },
        h("dt", {}, label),
        h("dd", {}, h("span", { class: "stat-value", "data-testid": testid, "data-value": value }, text), change));
    };
    fill(totals.content, h("dl", { class: "stat-grid" },
      figure("plays", "Plays", now.plays, now.plays.toLocaleString(), "stats-total-plays"),
      figure("minutes", "Listening time", now.minutes, fmtMinutes(now.minutes), "stats-total-minutes"),
      figure("firstListens", "First listens", now.firstListens, now.firstListens.toLocaleString(), "stats-total-first"),
      figure("skips", "Skips", now.skips, now.skips.toLocaleString(), "stats-total-skips", true)),
      before ? null : h("p", { class: "meta" }, "All time has no period before it to compare with."));
  }

  function renderListening(data, unit) {
    const points = data.points ?? [];
    const names = points.map((point) => bucketName(point.start, unit));
    const ticks = points.map((point) => bucketTick(point.start, unit, points));
    fill(listening.content,
      h("p", { class: "meta" }, `Plays per ${unit}.`),
      barChart({
        title: `Plays per ${unit}, ${fmtDay(data.from)} to ${fmtDay(data.to)}`, labels: names, ticks,
        series: [{ name: "Plays", values: points.map((point) => point.plays) }], integer: true, signal, testid: "stats-listening-chart",
        table: {
          columns: [cap(unit), "Plays", "Minutes", "Skips", "First listens"],
          rows: points.map((point, i) => [names[i], point.plays, point.minutes, point.skips, point.firstListens]),
        },
      }));
  }

  async function loadTop() {
    const kind = state.kind;
    const data = await api(`/me/stats/top${qs({ ...params(), kind, limit: 10 })}`, { signal: loads.signal });
    if (loads.signal.aborted || kind !== state.kind) return;
    exports(top, "/me/stats/top", { ...params(), kind, limit: 10 }, `top-${kind}`);
    const compare = state.period !== "all";
    const label = KINDS.find(([k]) => k === kind)[1].toLowerCase();
    fill(topPanel,
      h("h3", { class: "visually-hidden" }, `Top ${label}`),
      barList(data.items.map((item) => chartItem(item, kind, { move: compare })), {
        label: `Top ${label}`, testid: "stats-top-list", itemTestid: "stats-top-item", empty: `No ${label} played in this period.`,
      }),
      h("div", { class: "stats-columns" },
        h("div", {}, h("h3", {}, "Rising"),
          compare
            ? barList(data.rising.map((item) => chartItem(item, kind, { change: true })), {
              label: `Rising ${label}`, testid: "stats-rising", itemTestid: "stats-rising-item", empty: "Nothing rose against the period before.",
              max: Math.max(1, ...data.rising.map((item) => item.plays - item.previousPlays)),
            })
            : h("p", { class: "empty" }, "All time has nothing to compare with.")),
        h("div", {}, h("h3", {}, "Falling"),
          compare
            ? barList(data.falling.map((item) => chartItem(item, kind, { change: true })), {
              label: `Falling ${label}`, testid: "stats-falling", itemTestid: "stats-falling-item", empty: "Nothing fell against the period before.",
              max: Math.max(1, ...data.falling.map((item) => item.previousPlays - item.plays)),
            })
            : h("p", { class: "empty" }, "All time has nothing to compare with."))));
  }

  async function loadHabits() {
    const data = await api(`/me/stats/habits${qs(params())}`, { signal: loads.signal });
    if (loads.signal.aborted) return;
    exports(habits, "/me/stats/habits", params(), "habits");
    const streak = (value) => (value.days
      ? `${plural(value.days, "day")} (${fmtDay(value.from)}${value.days > 1 ? ` – ${fmtDay(value.to)}` : ""})`
      : "none");
    const share = (part) => `${Math.round(part * 100)}%`;
    const shareList = (list, name) => barList(list.map((entry) => ({ id: entry.name, name: entry.name, value: entry.plays, valueText: plural(entry.plays, "play") })),
      { label: name, testid: `stats-${name.toLowerCase()}`, empty: "No plays." });
    fill(habits.content,
      h("h3", {}, "When you listen"),
      heatmap({ title: `Plays by weekday and hour, ${fmtDay(data.from)} to ${fmtDay(data.to)}`, grid: data.heatmap, signal, testid: "stats-heatmap" }),
      h("dl", { class: "stat-grid small" },
        fact("Longest streak", streak(data.longestStreak), "stats-longest-streak"),
        fact("Current streak", streak(data.currentStreak), "stats-current-streak"),
        fact("New vs repeat", `${share(data.newShare)} new · ${share(1 - data.newShare)} repeat`, "stats-new-share",
          meter(data.newShare)),
        fact("Skip rate", share(data.skipRate), "stats-skip-rate", meter(data.skipRate)),
        fact("Sessions", data.sessions.toLocaleString(), "stats-sessions"),
        fact("Average session", fmtMinutes(data.averageSessionMinutes), "stats-session-length")),
      h("div", { class: "stats-columns" },
        h("div", {}, h("h3", {}, "Formats"), shareList(data.formats, "Formats")),
        h("div", {}, h("h3", {}, "Apps"), shareList(data.clients, "Clients"))));
  }

  async function loadTaste() {
    const data = await api(`/me/stats/taste${qs(params())}`, { signal: loads.signal });
    if (loads.signal.aborted) return;
    exports(taste, "/me/stats/taste", params(), "taste");
    // Long periods by month would crowd the chart: the last 36 months at most (the table and files have all).
    const months = data.months.slice(-36);
    const played = months.filter((month) => month.plays > 0);
    if (!played.length) {
      fill(taste.content, h("p", { class: "empty" }, "Nothing played in this period."));
      return;
    }
    const names = months.map((month) => dateFormat({ month: "long", year: "numeric" }).format(parseDay(`${month.month}-01`)));
    const ticks = months.map((month) => fmtMonth(month.month, months.length > 12 || crossesYear(months)));
    const shares = (key, count) => {
      // The biggest names over the period, each month's plays as its share; the rest as "Other".
      const sums = new Map();
      for (const month of months) for (const entry of month[key]) sums.set(entry.name, (sums.get(entry.name) ?? 0) + entry.plays);
      const leaders = [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name]) => name);
      const totalOf = (month) => month[key].reduce((sum, entry) => sum + entry.plays, 0);
      const series = leaders.map((name) => ({
        name,
        values: months.map((month) => {
          const total = totalOf(month);
          return total ? Math.round((1000 * (month[key].find((entry) => entry.name === name)?.plays ?? 0)) / total) / 10 : 0;
        }),
      }));
      const other = months.map((month, i) => {
        const total = totalOf(month);
        return total ? Math.max(0, Math.round(10 * (100 - series.reduce((sum, one) => sum + one.values[i], 0))) / 10) : 0;
      });
      if (other.some((value) => value > 0.05)) series.push({ name: "Other", values: other });
      return series;
    };
    const percent = (value) => `${Math.round(value)}%`;
    const sound = [
      ["tempo", "Tempo", (value) => `${Math.round(value)} BPM`, null],
      ["loudness", "Loudness", (value) => `${Math.round(value)} LUFS`, null],
      ["energy", "Energy", (value) => `${Math.round(value * 100)}%`, [0, 1]],
    ].filter(([key]) => months.some((month) => month[key] != null));
    fill(taste.content,
      h("div", { class: "stats-columns" },
        h("div", {}, h("h3", {}, "Genres"),
          barChart({ title: "Genres, as shares of each month's plays", labels: names, ticks, series: shares("genres", 5), format: percent, signal, testid: "stats-genres-chart" })),
        h("div", {}, h("h3", {}, "Decades"),
          barChart({ title: "Decades of release, as shares of each month's plays", labels: names, ticks, series: shares("decades", 5), format: percent, signal, testid: "stats-decades-chart" }))),
      sound.length
        ? h("div", { class: "stats-columns" }, sound.map(([key, label, format, domain]) => h("div", {},
          h("h3", {}, label),
          lineChart({ title: `${label} of what you played, by month`, labels: names, ticks, format, domain, height: 150, signal,
            series: [{ name: label, values: months.map((month) => month[key]) }], testid: `stats-${key}-chart` }))))
        : h("p", { class: "meta" }, "Tempo, loudness and energy show once the tracks you play have been analysed."));
  }

  async function loadHousehold() {
    const get = (kind) => api(`/stats/household${qs({ ...params(), kind, limit: 10 })}`, { signal: loads.signal });
    const [artists, tracks] = await Promise.all([get("artists"), get("tracks")]);
    if (loads.signal.aborted) return;
    exports(household, "/stats/household", { ...params(), kind: "artists", limit: 10 }, "household-artists", "artists");
    exports(household, "/stats/household", { ...params(), kind: "tracks", limit: 10 }, "household-tracks", "tracks", true);
    fill(household.content,
      h("p", { "data-testid": "stats-household-listeners" },
        artists.listeners === 1 ? "1 listener shares their listening with the household."
          : `${artists.listeners} listeners share their listening with the household.`,
        " ", h("a", { href: "#/preferences" }, "Yours is shared when “Let other users see what I am listening to” is on.")),
      h("div", { class: "stats-columns" },
        h("div", {}, h("h3", {}, "Top artists"),
          barList(artists.chart.items.map((item) => chartItem(item, "artists")), { label: "The household's top artists", testid: "stats-household-artists", itemTestid: "stats-household-item", empty: "Nothing shared in this period." })),
        h("div", {}, h("h3", {}, "Top tracks"),
          barList(tracks.chart.items.map((item) => chartItem(item, "tracks")), { label: "The household's top tracks", testid: "stats-household-tracks", itemTestid: "stats-household-item", empty: "Nothing shared in this period." }))));
  }

  async function reload() {
    loads?.abort();
    loads = new AbortController();
    setQuery({ period: state.period, from: state.period === "custom" ? state.from : null, to: state.period === "custom" ? state.to : null });
    const year = /^\d{4}$/.test(state.period) ? state.period : String(thisYear);
    reviewLink.href = `#/stats/year/${year}`;
    reviewLink.textContent = `${year} in review`;
    await Promise.all([
      run([totals, listening], loadListening),
      run(top, loadTop), run(habits, loadHabits), run(taste, loadTaste), run(household, loadHousehold),
    ]);
  }

  await reload();
}

// MARK: - Pieces

/** A panel with a heading, CSV and JSON links, and content. */
function section(key, title, testid) {
  const headId = `stats-${key}-head`;
  const links = h("div", { class: "export-links" });
  const content = h("div", { class: "stats-content" });
  const body = h("div", {}, content);
  const el = h("section", { class: "panel stats-section", "aria-labelledby": headId, "data-testid": testid },
    h("div", { class: "section-head" }, h("h2", { id: headId }, title), links), body);
  return { el, body, content, links, title };
}

/** Sets a section's CSV and JSON links (replacing them, unless `add`). */
function exports(part, path, params, name, what = "", add = false) {
  const url = (format) => `/api/v1${path}${qs({ ...params, format })}`;
  const label = `${part.title}${what ? " (" + what + ")" : ""}`;
  const links = [
    what ? h("span", { class: "meta" }, cap(what)) : null,
    h("a", { href: url("csv"), download: `${name}.csv`, class: "export", "data-testid": "stats-export-csv", "aria-label": `${label} as CSV` }, "CSV"),
    h("a", { href: url(null), download: `${name}.json`, class: "export", "data-testid": "stats-export-json", "aria-label": `${label} as JSON` }, "JSON"),
  ];
  if (add) append(part.links, links);
  else fill(part.links, links);
}

function fact(label, text, testid, extra = null) {
  return h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, h("span", { class: "stat-value", "data-testid": testid }, text), extra));
}

/** A chart item for a bar list: its link, its artist, and its move against the period before. */
export function chartItem(item, kind, { move = false, change = false } = {}) {
  const href = {
    artists: `#/artist/${enc(item.id)}`,
    albums: `#/album/${enc(item.id)}`,
    genres: `#/albums${qs({ genre: item.name })}`,
  }[kind];
  const action = kind === "tracks"
    ? h("button", { type: "button", class: "icon-btn small", "aria-label": `Play ${item.name}`, title: "Play",
      onclick: async () => {
        const track = await attempt(() => api(`/tracks/${enc(item.id)}`), "Loading the track");
        if (track) player.playTracks([track], 0);
      } }, icon("play"))
    : null;
  if (change) {
    const delta = item.plays - item.previousPlays;
    return {
      id: item.id, name: item.name, href, action, sub: item.artist, value: Math.abs(delta), rank: delta > 0 ? "▲" : "▼",
      valueText: `${delta > 0 ? "+" : "−"}${plural(Math.abs(delta), "play")} (${item.previousPlays} → ${item.plays})`,
    };
  }
  return {
    id: item.id, name: item.name, href, action, sub: item.artist, value: item.plays, rank: item.rank,
    valueText: plural(item.plays, "play"), badge: move ? moveBadge(item) : null,
  };
}

/** ▲3, ▼1, "new" or "=" against the period before, with words for screen readers. */
function moveBadge(item) {
  const badge = (className, shown, said) =>
    h("span", { class: `move ${className}`, title: said }, h("span", { "aria-hidden": "true" }, shown), h("span", { class: "visually-hidden" }, said));
  if (item.previousRank == null) return badge("new", "new", "new in the chart");
  const places = item.previousRank - item.rank;
  if (places > 0) return badge("up", `▲${places}`, `up ${plural(places, "place")}`);
  if (places < 0) return badge("down", `▼${-places}`, `down ${plural(-places, "place")}`);
  return badge("same", "=", "same place");
}

// MARK: - Periods and dates

function isoDay(offset) {
  const date = new Date();
  date.setDate(date.getDate() + offset);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

const parseDay = (iso) => new Date(`${iso}T00:00:00Z`);
const daysBetween = (from, to) => Math.round((parseDay(to) - parseDay(from)) / 86_400_000) + 1;
const unitForDays = (days) => (days <= 31 ? "day" : days <= 90 ? "week" : "month");

function unitFor(state) {
  if (state.period === "custom") return unitForDays(daysBetween(state.from, state.to));
  return { "7d": "day", "30d": "day", "90d": "week" }[state.period] ?? "month";
}

function previousLabel(state, data) {
  if (/^\d+d$/.test(state.period)) return `previous ${parseInt(state.period, 10)} days`;
  if (state.period === "12m") return "previous 12 months";
  if (/^\d{4}$/.test(state.period)) return String(Number(state.period) - 1);
  return `previous ${daysBetween(data.from, data.to)} days`;
}

const dateFormat = (options) => new Intl.DateTimeFormat(undefined, { timeZone: "UTC", ...options });
const fmtDay = (iso) => (iso ? dateFormat({ day: "numeric", month: "short", year: "numeric" }).format(parseDay(iso)) : "—");
const fmtMonth = (month, withYear = true) =>
  dateFormat(withYear ? { month: "short", year: "2-digit" } : { month: "short" }).format(parseDay(`${month}-01`));
const crossesYear = (months) => months.length > 1 && months[0].month.slice(0, 4) !== months[months.length - 1].month.slice(0, 4);
const cap = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function bucketName(start, unit) {
  if (unit === "day") return dateFormat({ weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(parseDay(start));
  if (unit === "week") return `Week of ${fmtDay(start)}`;
  if (unit === "month") return dateFormat({ month: "long", year: "numeric" }).format(parseDay(start));
  return start.slice(0, 4);
}

function bucketTick(start, unit, points) {
  if (unit === "day" || unit === "week") return dateFormat({ day: "numeric", month: "short" }).format(parseDay(start));
  if (unit === "month") return fmtMonth(start.slice(0, 7), points.length > 12 || points[0].start.slice(0, 4) !== points[points.length - 1].start.slice(0, 4));
  return start.slice(0, 4);
}

/** "45 min", "12.5 h". */
export function fmtMinutes(minutes) {
  const value = Number(minutes) || 0;
  if (value < 120) return `${Math.round(value)} min`;
  return `${(value / 60).toLocaleString(undefined, { maximumFractionDigits: 1 })} h`;
}
