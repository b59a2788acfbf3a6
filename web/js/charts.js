// Small SVG charts: bars over time (stacked when there are several series), lines, a weekday ×
// hour heatmap, and a horizontal bar list. Each is drawn at its container's width (redrawn as it
// changes, so the text keeps its size on a phone), takes its colours from CSS variables through
// classes (the themes apply; no style attributes, which the CSP refuses), says what it shows in
// its aria-label and <title>, and comes with the same numbers as a table under "Show the numbers".

import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
let chartCounter = 0;

/** s("rect", {x: 1, class: "chart-bar"}, child…): an SVG element (attributes set as they are). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value != null && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const fmt = (value) => (typeof value === "number" ? value.toLocaleString() : String(value ?? ""));

/** The numbers of a chart as a table inside a closed "Show the numbers" disclosure. */
export function dataTable({ caption, columns, rows }) {
  return h("details", { class: "chart-data" },
    h("summary", {}, "Show the numbers"),
    h("div", { class: "table-wrap" },
      h("table", { class: "table" },
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col" }, column)))),
        h("tbody", {}, rows.map((row) => h("tr", {},
          row.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, fmt(cell)) : h("td", {}, fmt(cell))))))))));
}

/** An <svg role="img"> sized to `width` px, labelled by its <title>. */
function frame(width, height, title) {
  const id = `chart-title-${++chartCounter}`;
  return s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": id, class: "chart-svg" },
    s("title", { id }, title));
}

/**
 * A holder whose chart is drawn by draw(width) now (at a guess) and again whenever the holder's
 * width changes; the observer stops with signal.
 */
function responsive(draw, signal, className = "chart") {
  const holder = h("div", { class: className });
  let drawn = 0;
  const render = (width) => {
    const w = Math.max(240, Math.floor(width));
    if (Math.abs(w - drawn) < 2) return;
    drawn = w;
    holder.replaceChildren(draw(w));
  };
  render(640);
  if ("ResizeObserver" in window) {
    const observer = new ResizeObserver((entries) => {
      const width = entries[0]?.contentRect.width;
      if (width) render(width);
    });
    observer.observe(holder);
    signal?.addEventListener("abort", () => observer.disconnect());
  }
  return holder;
}

/** Round ticks from at most min to at least max (about `count` of them; whole numbers if integer). */
function niceTicks(min, max, count = 4, integer = false) {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? raw;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(min / step) * step;
  const ticks = [];
  for (let value = first; value < max + step * 0.999; value += step) ticks.push(Number(value.toFixed(10)));
  return ticks;
}

/** Every how many labels fit along `length` px when each wants `each` px. */
const labelEvery = (count, length, each) => Math.max(1, Math.ceil((count * each) / Math.max(1, length)));

/** A legend of the series (colour swatches are classes, the names are text). */
function legend(series) {
  if (series.length < 2) return null;
  return h("ul", { class: "chart-legend", "aria-hidden": "true" },
    series.map((one, i) => h("li", { class: `series-${i % 8}` }, h("span", { class: "swatch" }), one.name)));
}

/** A y axis with grid lines for `ticks` over the plot (top … bottom). */
function yAxis(ticks, { left, right, y, format }) {
  return ticks.map((tick) => s("g", { class: "chart-tick" },
    s("line", { class: "chart-grid", x1: left, x2: right, y1: y(tick), y2: y(tick) }),
    s("text", { class: "chart-axis-text", x: left - 6, y: y(tick), "text-anchor": "end", "dominant-baseline": "middle" }, format(tick))));
}

/**
 * Vertical bars, one per label, stacked when there are several series (side by side with
 * `grouped`, for series that do not add up).
 * labels: full names of the bars ("3 March 2026"); ticks: short axis labels ("3 Mar"), an empty
 * one for a bar without (the labelled bars are thinned out evenly to fit);
 * series: [{name, values}]; format(value) for the axis and hover text; table: {columns, rows}
 * to show other numbers than the chart's own.
 */
export function barChart({ title, labels, ticks = labels, series, format = fmt, integer = false, grouped = false, height = 200, table, signal, testid }) {
  const totals = labels.map((_, i) => (grouped
    ? Math.max(0, ...series.map((one) => one.values[i] ?? 0))
    : series.reduce((sum, one) => sum + (one.values[i] ?? 0), 0)));
  const marked = labels.map((_, i) => i).filter((i) => ticks[i] != null && ticks[i] !== "");
  const draw = (width) => {
    const svg = frame(width, height, title);
    const top = 10, bottom = 26, left = 44, right = width - 8;
    const yTicks = niceTicks(0, Math.max(...totals, 0), 4, integer);
    const max = yTicks[yTicks.length - 1] || 1;
    const y = (value) => top + (height - top - bottom) * (1 - value / max);
    svg.append(...yAxis(yTicks, { left, right, y, format }));
    const band = (right - left) / Math.max(1, labels.length);
    const barWidth = Math.max(1, Math.min(grouped ? 24 * series.length : 48, band * 0.72));
    const slot = grouped ? barWidth / Math.max(1, series.length) : barWidth;
    // Every how many labelled bars a label fits (about 56 px each).
    const spacing = marked.length > 1 ? (marked[1] - marked[0]) * band : right - left;
    const every = Math.max(1, Math.ceil(56 / Math.max(1, spacing)));
    labels.forEach((label, i) => {
      const x = left + band * i + (band - barWidth) / 2;
      let base = 0;
      const bar = s("g", { class: "chart-column" });
      series.forEach((one, k) => {
        const value = one.values[i] ?? 0;
        if (value <= 0) return;
        const y1 = y(grouped ? value : base + value);
        const y0 = y(grouped ? 0 : base);
        base += value;
        bar.append(s("rect", {
          class: `chart-bar series-${series.length > 1 ? k % 8 : 0}`, x: (grouped ? x + slot * k : x).toFixed(1), y: y1.toFixed(1),
          width: Math.max(grouped ? 0.5 : 1, grouped ? slot - (slot > 3 ? 1 : 0) : slot).toFixed(1), height: Math.max(0.5, y0 - y1).toFixed(1),
        }, s("title", {}, `${label}: ${series.length > 1 ? one.name + " " : ""}${format(value)}`)));
      });
      svg.append(bar);
    });
    marked.filter((_, n) => n % every === 0).forEach((i) => {
      svg.append(s("text", { class: "chart-axis-text", x: (left + band * i + band / 2).toFixed(1), y: height - 8, "text-anchor": "middle" }, ticks[i]));
    });
    svg.append(s("line", { class: "chart-baseline", x1: left, x2: right, y1: y(0), y2: y(0) }));
    return svg;
  };
  const data = table ?? {
    columns: ["", ...series.map((one) => one.name)],
    rows: labels.map((label, i) => [label, ...series.map((one) => format(one.values[i] ?? 0))]),
  };
  return h("figure", { class: "chart-figure", "data-testid": testid },
    responsive(draw, signal), legend(series), dataTable({ caption: title, ...data }));
}

/**
 * Lines over the same labels, one per series ({name, values}, null for a gap); a lone point
 * shows as a dot. domain: [min, max] (default: the values' range, widened to round ends).
 */
export function lineChart({ title, labels, ticks = labels, series, format = fmt, domain, height = 180, signal, testid }) {
  const values = series.flatMap((one) => one.values).filter((value) => value != null);
  let low = domain?.[0] ?? Math.min(...values);
  let high = domain?.[1] ?? Math.max(...values);
  if (!Number.isFinite(low) || !Number.isFinite(high)) [low, high] = [0, 1];
  if (!domain && high - low < 1e-9) {
    const pad = Math.max(1, Math.abs(low) * 0.1);
    [low, high] = [low - pad, high + pad];
  }
  const draw = (width) => {
    const svg = frame(width, height, title);
    const top = 10, bottom = 26, left = 44, right = width - 12;
    const yTicks = niceTicks(low, high);
    const min = domain ? low : yTicks[0];
    const max = domain ? high : yTicks[yTicks.length - 1];
    const y = (value) => top + (height - top - bottom) * (1 - (value - min) / (max - min || 1));
    svg.append(...yAxis(yTicks.filter((tick) => tick >= min && tick <= max), { left, right, y, format }));
    const step = labels.length > 1 ? (right - left - 16) / (labels.length - 1) : 0;
    const x = (i) => (labels.length > 1 ? left + 8 + step * i : (left + right) / 2);
    const every = labelEvery(labels.length, right - left, 56);
    labels.forEach((_, i) => {
      if (i % every === 0) svg.append(s("text", { class: "chart-axis-text", x: x(i).toFixed(1), y: height - 8, "text-anchor": "middle" }, ticks[i]));
    });
    series.forEach((one, k) => {
      const group = s("g", { class: `series-${k % 8}` });
      let path = "";
      one.values.forEach((value, i) => {
        if (value == null) {
          path += " ";
          return;
        }
        const joined = i > 0 && one.values[i - 1] != null;
        path += `${joined ? "L" : "M"}${x(i).toFixed(1)} ${y(value).toFixed(1)}`;
      });
      if (path.trim()) group.append(s("path", { class: "chart-line", d: path.trim() }));
      one.values.forEach((value, i) => {
        if (value == null) return;
        group.append(s("circle", { class: "chart-dot", cx: x(i).toFixed(1), cy: y(value).toFixed(1), r: labels.length > 24 ? 2.5 : 4 },
          s("title", {}, `${labels[i]}: ${series.length > 1 ? one.name + " " : ""}${format(value)}`)));
      });
      svg.append(group);
    });
    return svg;
  };
  return h("figure", { class: "chart-figure", "data-testid": testid },
    responsive(draw, signal), legend(series),
    dataTable({
      caption: title, columns: ["", ...series.map((one) => one.name)],
      rows: labels.map((label, i) => [label, ...series.map((one) => (one.values[i] == null ? "—" : format(one.values[i])))]),
    }));
}

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Plays by weekday (rows, 0 Monday) and hour (columns 0–23), as cells of stronger colour. */
export function heatmap({ title, grid, unit = "plays", signal, testid }) {
  const rows = WEEKDAYS.map((_, day) => Array.from({ length: 24 }, (_, hour) => grid?.[day]?.[hour] ?? 0));
  const max = Math.max(1, ...rows.flat());
  const hour = (n) => `${String(n).padStart(2, "0")}:00`;
  const draw = (width) => {
    const left = 36, top = 18, right = width - 4;
    const cell = (right - left) / 24;
    const rowHeight = Math.min(28, Math.max(17, cell));
    const height = top + rowHeight * 7 + 4;
    const svg = frame(width, height, title);
    const every = labelEvery(24, right - left, 34);
    for (let n = 0; n < 24; n += every) {
      svg.append(s("text", { class: "chart-axis-text", x: (left + cell * n + cell / 2).toFixed(1), y: 12, "text-anchor": "middle" }, String(n)));
    }
    rows.forEach((hours, day) => {
      const row = s("g", { class: "heat-row", "data-weekday": day },
        s("text", { class: "chart-axis-text", x: left - 6, y: (top + rowHeight * day + rowHeight / 2).toFixed(1), "text-anchor": "end", "dominant-baseline": "middle" },
          WEEKDAYS[day].slice(0, 3)));
      hours.forEach((value, n) => {
        row.append(s("rect", {
          class: value ? "heat-cell" : "heat-cell empty",
          x: (left + cell * n + 1).toFixed(1), y: (top + rowHeight * day + 1).toFixed(1),
          width: Math.max(1, cell - 2).toFixed(1), height: Math.max(1, rowHeight - 2).toFixed(1), rx: 2,
          "fill-opacity": value ? (0.15 + 0.85 * (value / max)).toFixed(2) : null,
        }, s("title", {}, `${WEEKDAYS[day]} ${hour(n)}–${hour((n + 1) % 24)}: ${fmt(value)} ${unit}`)));
      });
      svg.append(row);
    });
    return svg;
  };
  return h("figure", { class: "chart-figure", "data-testid": testid },
    responsive(draw, signal),
    h("p", { class: "chart-scale meta", "aria-hidden": "true" }, "Fewer", h("span", { class: "heat-scale" }), "More"),
    dataTable({
      caption: title, columns: ["", ...Array.from({ length: 24 }, (_, n) => String(n))],
      rows: rows.map((hours, day) => [WEEKDAYS[day], ...hours]),
    }));
}

/**
 * Top items as a list with horizontal bars: items [{id, name, href?, sub?, value, valueText,
 * badge?, action?}]. The list carries every number as text (the bars are aria-hidden), so it is
 * its own table.
 */
export function barList(items, { label, testid, itemTestid = "bar-item", empty = "Nothing yet.", max } = {}) {
  if (!items.length) return h("p", { class: "empty", "data-testid": testid }, empty);
  const top = max ?? Math.max(1, ...items.map((item) => item.value));
  return h("ol", { class: "bar-list", "aria-label": label, "data-testid": testid },
    items.map((item, i) => h("li", { class: "bar-item", "data-testid": itemTestid, "data-id": item.id },
      h("span", { class: "bar-rank", "aria-hidden": "true" }, item.rank ?? i + 1),
      h("span", { class: "bar-name" },
        item.action ?? null,
        item.href ? h("a", { href: item.href, "data-testid": `${itemTestid}-name` }, item.name) : h("span", { "data-testid": `${itemTestid}-name` }, item.name),
        item.sub ? h("span", { class: "sub" }, item.sub) : null),
      h("span", { class: "bar-value" }, item.valueText ?? fmt(item.value), item.badge ?? null),
      s("svg", { class: "bar-track", viewBox: "0 0 100 6", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
        s("rect", { class: "bar-bg", x: 0, y: 0, width: 100, height: 6, rx: 3 }),
        s("rect", { class: "chart-bar", x: 0, y: 0, width: Math.max(1, (100 * Math.max(0, item.value)) / top).toFixed(1), height: 6, rx: 3 })))));
}

/** A small bar for a share (0…1), drawn only: the figure beside it says the number. */
export function meter(part) {
  const width = (100 * Math.max(0, Math.min(1, part || 0))).toFixed(1);
  return s("svg", { class: "bar-track share-bar", viewBox: "0 0 100 6", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
    s("rect", { class: "bar-bg", x: 0, y: 0, width: 100, height: 6, rx: 3 }),
    s("rect", { class: "chart-bar", x: 0, y: 0, width, height: 6, rx: 3 }));
}
