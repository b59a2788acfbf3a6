// Admin: the System page, for households without Grafana. Live figures of the server (uptime,
// CPU, memory, requests and errors per minute, streams, free disk of the data and cache folders),
// requests and errors over the last hour, the last warnings and errors logged, and each plugin's
// health. Refreshed every 5 seconds while the page is open (the view's signal stops it).

import { api } from "../api.js";
import { lineChart, meter } from "../charts.js";
import { append, fill, h } from "../dom.js";
import { session } from "../session.js";
import { fmtBytes } from "./adminstats.js";

const REFRESH_MS = 5000;

export default async function systemView(view, { signal }) {
  append(view, h("div", { class: "page-head" },
    h("h1", {}, "System"),
    h("p", { class: "meta" }, h("a", { href: "#/admin" }, "Back to Admin"))));
  if (!session.isAdmin) {
    append(view, h("p", { class: "empty" }, "Only admins can see this page."));
    return;
  }
  const status = h("p", { class: "meta", role: "status", "data-testid": "system-updated" }, "Loading…");
  const figures = h("dl", { class: "stat-grid", "data-testid": "system-figures" });
  const disks = h("div", { class: "system-disks", "data-testid": "system-disks" });
  const charts = h("div", { class: "stats-columns", "data-testid": "system-charts" });
  const logs = h("div", { "data-testid": "system-logs" });
  const plugins = h("div", { "data-testid": "system-plugins" });
  append(view,
    status,
    h("section", { class: "panel", "aria-labelledby": "system-now" }, h("h2", { id: "system-now" }, "Now"), figures, disks),
    h("section", { class: "panel", "aria-labelledby": "system-hour" }, h("h2", { id: "system-hour" }, "The last hour"), charts),
    h("section", { class: "panel", "aria-labelledby": "system-log" }, h("h2", { id: "system-log" }, "Recent warnings and errors"), logs),
    h("section", { class: "panel", "aria-labelledby": "system-plugin-head" }, h("h2", { id: "system-plugin-head" }, "Plugins"), plugins));

  let previous = null;
  let charting = null;
  signal.addEventListener("abort", () => charting?.abort());
  const refresh = async () => {
    let data;
    try {
      data = await api("/admin/system", { signal });
    } catch (error) {
      if (!signal.aborted) status.textContent = error.message;
      return;
    }
    if (signal.aborted) return;
    // The CPU share between two readings; at the first, the average since the start.
    const cpu = previous && data.uptimeSeconds > previous.uptimeSeconds
      ? (data.cpuSeconds - previous.cpuSeconds) / (data.uptimeSeconds - previous.uptimeSeconds)
      : data.cpuSeconds / Math.max(1, data.uptimeSeconds);
    previous = data;
    const minutes = data.minutes ?? [];
    // The last full minute: the current one is still counting.
    const last = minutes.length > 1 ? minutes[minutes.length - 2] : minutes[0] ?? { requests: 0, errors: 0 };
    fill(figures,
      fact("Up for", fmtDuration(data.uptimeSeconds), "system-uptime", data.uptimeSeconds),
      fact("CPU", `${(cpu * 100).toFixed(1)} %`, "system-cpu", cpu, `of one core; ${data.processors} cores`),
      fact("Memory", fmtBytes(data.residentBytes), "system-memory", data.residentBytes),
      fact("Requests/min", last.requests.toLocaleString(), "system-requests", last.requests, `last full minute; ${data.requests.toLocaleString()} since the start`),
      fact("Errors/min", last.errors.toLocaleString(), "system-errors", last.errors, `last full minute; ${data.serverErrors.toLocaleString()} since the start`),
      fact("Streams", data.activeStreams.toLocaleString(), "system-streams", data.activeStreams));
    fill(disks, (data.disks ?? []).map(disk));

    charting?.abort();
    charting = new AbortController();
    const labels = minutes.map((minute) => new Date(minute.start).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }));
    const ticks = labels.map((label, i) => (i % 10 === 0 ? label : ""));
    const chart = (name, key, testid) => lineChart({
      title: `${name} per minute over the last hour`, labels, ticks, testid, signal: charting.signal,
      series: [{ name, values: minutes.map((minute) => minute[key]) }],
      // From 0, and at least to 4 so a quiet hour's axis reads 0…4, not a repeated 1.
      domain: [0, Math.max(4, ...minutes.map((minute) => minute[key]))],
      format: (value) => Math.round(value).toLocaleString(),
    });
    fill(charts,
      h("div", {}, h("h3", {}, "Requests per minute"), chart("Requests", "requests", "system-requests-chart")),
      h("div", {}, h("h3", {}, "5xx errors per minute"), chart("Errors", "errors", "system-errors-chart")));

    fill(logs, (data.logs ?? []).length
      ? h("ul", { class: "system-log" }, data.logs.map(logLine))
      : h("p", { class: "empty" }, "No warnings or errors since the server started."));
    fill(plugins, pluginTable(data.plugins ?? []));
    status.textContent = `Updated ${new Date(data.now).toLocaleTimeString()}; every ${REFRESH_MS / 1000} seconds.`;
  };
  await refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  signal.addEventListener("abort", () => clearInterval(timer));
}

function fact(label, text, testid, value, note) {
  return h("div", { class: "stat" }, h("dt", {}, label),
    h("dd", {}, h("span", { class: "stat-value", "data-testid": testid, "data-value": value ?? 0 }, text),
      note ? h("span", { class: "stat-note meta" }, note) : null));
}

function disk(space) {
  const free = space.totalBytes > 0 ? space.freeBytes / space.totalBytes : 0;
  const name = space.folder === "cache" ? "Cache folder" : "Data folder";
  return h("div", { class: "system-disk", "data-testid": `system-disk-${space.folder}`, "data-free": space.freeBytes },
    h("span", {}, `${name}: ${fmtBytes(space.freeBytes)} free of ${fmtBytes(space.totalBytes)} (${((1 - free) * 100).toFixed(0)} % used)`),
    meter(1 - free));
}

function logLine(entry) {
  const detail = Object.entries(entry.metadata ?? {})
    .filter(([key]) => key !== "subsystem")
    .map(([key, value]) => `${key}=${value}`).join(" ");
  return h("li", { class: `system-log-line level-${entry.level}`, "data-testid": "system-log-line" },
    h("time", { datetime: entry.at }, new Date(entry.at).toLocaleString()), " ",
    h("strong", {}, entry.level), " ",
    h("span", {}, entry.message),
    detail ? h("code", { class: "meta" }, ` ${detail}`) : null);
}

function pluginTable(plugins) {
  if (!plugins.length) return h("p", { class: "empty" }, "No plugins installed.");
  return h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "system-plugin-table" },
    h("thead", {}, h("tr", {}, ["Plugin", "State", "Failures in a row", "Last error"].map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, plugins.map((plugin) => h("tr", { "data-testid": "system-plugin-row", "data-id": plugin.id, "data-state": plugin.state },
      h("th", { scope: "row" }, plugin.name),
      h("td", {}, plugin.enabled ? plugin.state : "disabled"),
      h("td", {}, String(plugin.failures)),
      h("td", {}, plugin.lastError ?? plugin.message ?? "—"))))));
}

function fmtDuration(seconds) {
  const total = Math.floor(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (days) return `${days} d ${hours} h`;
  if (hours) return `${hours} h ${minutes} min`;
  return `${minutes} min ${total % 60} s`;
}
