// Admin: the log levels, changed while the server runs (until the restart, when the configuration's
// `log.level` and `log.levels` apply again).

import { api } from "../api.js";
import { h } from "../dom.js";
import { announce, announceError } from "../ui.js";

const LEVELS = ["trace", "debug", "info", "notice", "warning", "error", "critical"];

function levelSelect(id, value, { inherit = false } = {}) {
  const options = (inherit ? [["", "as general"]] : []).concat(LEVELS.map((level) => [level, level]));
  return h("select", { id, "data-testid": id },
    options.map(([level, label]) => h("option", { value: level, selected: level === (value ?? "") }, label)));
}

/** The general level and one per subsystem ("as general" follows the general level). */
export async function logLevelsSection(signal) {
  const section = h("section", { class: "panel", id: "admin-logs", "aria-labelledby": "logs-head" },
    h("h2", { id: "logs-head" }, "Log levels"));
  let current;
  try {
    current = await api("/admin/log-levels", { signal });
  } catch (error) {
    section.append(h("p", { class: "error-text" }, error.message));
    return section;
  }
  const general = levelSelect("log-level", current.level);
  const subsystems = new Map((current.available ?? Object.keys(current.subsystems ?? {})).map((name) =>
    [name, levelSelect(`log-level-${name}`, current.subsystems?.[name], { inherit: true })]));
  const form = h("form", { class: "settings", "data-testid": "log-levels-form" },
    h("div", { class: "field" }, h("label", { for: "log-level" }, "General"), general),
    [...subsystems].map(([name, select]) =>
      h("div", { class: "field" }, h("label", { for: `log-level-${name}` }, name), select)),
    h("p", { class: "meta" }, "Until the server restarts; the configuration file's levels apply again then."),
    h("div", { class: "actions" }, h("button", { type: "submit", "data-testid": "log-levels-save" }, "Save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = {};
    for (const [name, select] of subsystems) if (select.value) chosen[name] = select.value;
    try {
      const saved = await api("/admin/log-levels", { method: "PUT", body: { level: general.value, subsystems: chosen } });
      announce(`Log level ${saved.level}${Object.keys(saved.subsystems).length ? ", with subsystem levels" : ""}.`);
    } catch (error) {
      announceError(error, "Saving the log levels");
    }
  });
  section.append(form);
  return section;
}
