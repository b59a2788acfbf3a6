// Admin: users, plans and the ledger, libraries, the library scan (live through server-sent events), the sonic
// analysis, the server's activity, how recommendations do, plugins.

import { api, enc, listOf } from "../api.js";
import { append, fmtDate, h, plural } from "../dom.js";
import { session } from "../session.js";
import { announce, announceError, confirmDialog, openDialog, secretDialog } from "../ui.js";
import { recommendationsSection, serverActivitySection } from "./adminstats.js";
import { logLevelsSection } from "./loglevels.js";
import { adminPlansSection } from "./plans.js";

export default async function adminView(view, { signal }) {
  append(view, h("div", { class: "page-head" }, h("h1", {}, "Admin")));
  if (!session.isAdmin) {
    append(view, h("p", { class: "empty" }, "Only admins can see this page."));
    return;
  }
  const libraries = listOf(await api("/admin/libraries", { signal }));
  append(view, 
    h("nav", { class: "tabs", "aria-label": "Admin sections" },
      [["admin-users", "Users"], ["admin-plans", "Plans"], ["admin-libraries", "Libraries"], ["admin-scan", "Scan"], ["admin-analysis", "Analysis"],
        ["admin-activity", "Activity"], ["admin-recommendations", "Recommendations"], ["admin-plugins", "Plugins"], ["admin-logs", "Logs"]].map(([id, label]) =>
        h("button", { type: "button", class: "link-button", onclick: () => document.getElementById(id)?.scrollIntoView({ behavior: "smooth" }) }, label)),
      h("a", { href: "#/admin/system", class: "link-button", "data-testid": "admin-system-link" }, "System")),
    scanSection(signal),
    await usersSection(signal, libraries),
    await adminPlansSection(signal),
    librariesSection(signal, libraries),
    analysisSection(signal),
    serverActivitySection(signal),
    recommendationsSection(signal),
    await pluginsSection(signal),
    await logLevelsSection(signal));
}

/** The sonic analysis: how many tracks are measured, failed (with reasons) or waiting, refreshed every few seconds. */
function analysisSection(signal) {
  const progress = h("progress", { "data-testid": "analysis-progress", max: 1, value: 0, "aria-label": "Sonic analysis progress" });
  const summary = h("p", { class: "meta", "data-testid": "analysis-summary", role: "status", "aria-live": "polite" }, "Loading…");
  const failures = h("ul", { class: "problems", "data-testid": "analysis-failures" });
  const refresh = async () => {
    try {
      const state = await api("/admin/analysis", { signal });
      progress.max = Math.max(1, state.total);
      progress.value = state.analyzed + state.failed;
      const pace = state.tracksPerSecond ? ` · ${state.tracksPerSecond.toFixed(1)} tracks/s` : "";
      const mode = state.paused ? " · waiting while a transcode runs" : state.running ? " · measuring" : "";
      summary.textContent = `${state.analyzed} of ${state.total} tracks analysed, ${state.failed} could not be, ${state.pending} waiting${mode}${pace}.`;
      failures.replaceChildren(...state.failures.map((f) => h("li", {}, h("strong", {}, f.title), ` — ${f.reason}`)));
    } catch (error) {
      if (!signal.aborted) summary.textContent = error.message;
    }
  };
  refresh();
  const timer = setInterval(refresh, 3000);
  signal.addEventListener("abort", () => clearInterval(timer));
  return h("section", { class: "panel", id: "admin-analysis" },
    h("h2", {}, "Sonic analysis"),
    h("p", { class: "hint" }, "Each track's sound (loudness, tempo, key, timbre) is measured in the background for recommendations and radios."),
    progress, summary, failures);
}

// MARK: - Users

async function usersSection(signal, libraries) {
  const body = h("tbody", { "data-testid": "users-rows" });
  const libraryName = (id) => libraries.find((l) => l.id === id)?.name ?? id;
  const load = async () => {
    const users = listOf(await api("/admin/users", { signal }));
    body.replaceChildren(...users.map((user) => h("tr", { "data-testid": "user-row", "data-user-id": user.id },
      h("td", {}, h("strong", {}, user.username), user.displayName && user.displayName !== user.username ? ` (${user.displayName})` : ""),
      h("td", {}, user.role),
      h("td", { class: "wide-only" }, user.libraryIds ? user.libraryIds.map(libraryName).join(", ") || "none" : "all"),
      h("td", { class: "wide-only" }, user.maxBitrate ? `${user.maxBitrate} kbit/s` : "—"),
      h("td", { class: "wide-only" }, [user.canDownload ? "download" : null, user.canShare ? "share" : null].filter(Boolean).join(", ") || "—"),
      h("td", { class: "wide-only" }, fmtDate(user.lastSeenAt)),
      h("td", { class: "row-actions" },
        h("button", { type: "button", "data-testid": "user-edit", onclick: () => editUser(user, libraries, load) }, "Edit"),
        h("button", { type: "button", "data-testid": "user-password", onclick: () => resetPassword(user) }, "Password"),
        user.id === session.me?.id ? null : h("button", { type: "button", class: "danger", "data-testid": "user-delete", onclick: async () => {
          if (!(await confirmDialog(`Delete the user “${user.username}” with their playlists and history?`, { confirmLabel: "Delete", danger: true }))) return;
          try {
            await api(`/admin/users/${enc(user.id)}`, { method: "DELETE" });
            announce(`Deleted ${user.username}.`);
            load();
          } catch (error) {
            announceError(error, "Deleting the user");
          }
        } }, "Delete")))));
    // The Plans section's listener picker follows.
    window.dispatchEvent(new CustomEvent("canto:users-changed"));
  };

  const username = h("input", { id: "new-user-name", required: true, maxlength: 64, autocomplete: "off", "data-testid": "new-user-name" });
  const password = h("input", { id: "new-user-password", type: "password", required: true, minlength: 8, autocomplete: "new-password", "data-testid": "new-user-password" });
  const displayName = h("input", { id: "new-user-display", maxlength: 100, autocomplete: "off" });
  const email = h("input", { id: "new-user-email", type: "email", autocomplete: "off" });
  const role = h("select", { id: "new-user-role", "data-testid": "new-user-role" }, h("option", { value: "user" }, "User"), h("option", { value: "admin" }, "Admin"));
  const form = h("form", { class: "grid-form", "data-testid": "new-user-form" },
    h("div", { class: "field" }, h("label", { for: "new-user-name" }, "Username"), username),
    h("div", { class: "field" }, h("label", { for: "new-user-password" }, "Password"), password),
    h("div", { class: "field" }, h("label", { for: "new-user-display" }, "Display name"), displayName),
    h("div", { class: "field" }, h("label", { for: "new-user-email" }, "Email"), email),
    h("div", { class: "field" }, h("label", { for: "new-user-role" }, "Role"), role),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "new-user-create" }, "Create user")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api("/admin/users", { method: "POST", body: {
        username: username.value.trim(), password: password.value, role: role.value,
        displayName: displayName.value.trim() || undefined, email: email.value.trim() || undefined,
      } });
      form.reset();
      load();
      if (created?.appPassword) {
        secretDialog("User created", `${created.user?.username ?? "The user"}'s Subsonic app password (shown once):`, created.appPassword);
      } else {
        announce("User created.");
      }
    } catch (error) {
      announceError(error, "Creating the user");
    }
  });

  await load();
  return h("section", { class: "panel", id: "admin-users", "aria-labelledby": "users-head" },
    h("h2", { id: "users-head" }, "Users"),
    h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "users-table" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "User"), h("th", { scope: "col" }, "Role"), h("th", { scope: "col", class: "wide-only" }, "Libraries"),
        h("th", { scope: "col", class: "wide-only" }, "Max bitrate"), h("th", { scope: "col", class: "wide-only" }, "Rights"),
        h("th", { scope: "col", class: "wide-only" }, "Last seen"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      body)),
    h("h3", {}, "New user"), form);
}

function editUser(user, libraries, reload) {
  const displayName = h("input", { id: "edit-display", value: user.displayName ?? "", maxlength: 100 });
  const email = h("input", { id: "edit-email", type: "email", value: user.email ?? "" });
  const role = h("select", { id: "edit-role", "data-testid": "edit-role" },
    h("option", { value: "user", selected: user.role === "user" }, "User"), h("option", { value: "admin", selected: user.role === "admin" }, "Admin"));
  const bitrate = h("input", { id: "edit-bitrate", type: "number", min: 0, max: 1000, step: 1, value: user.maxBitrate ?? "", placeholder: "No limit", "aria-describedby": "edit-bitrate-hint" });
  const download = h("input", { type: "checkbox", checked: Boolean(user.canDownload) });
  const share = h("input", { type: "checkbox", checked: Boolean(user.canShare) });
  const all = h("input", { type: "checkbox", checked: user.libraryIds == null, "data-testid": "edit-all-libraries" });
  const boxes = libraries.map((library) => h("input", { type: "checkbox", value: library.id, checked: user.libraryIds?.includes(library.id) ?? true }));
  const syncBoxes = () => boxes.forEach((box) => (box.disabled = all.checked));
  all.addEventListener("change", syncBoxes);
  syncBoxes();
  const form = h("form", { class: "settings" },
    h("div", { class: "field" }, h("label", { for: "edit-display" }, "Display name"), displayName),
    h("div", { class: "field" }, h("label", { for: "edit-email" }, "Email"), email),
    h("div", { class: "field" }, h("label", { for: "edit-role" }, "Role"), role),
    h("div", { class: "field" }, h("label", { for: "edit-bitrate" }, "Max bitrate (kbit/s)"), bitrate,
      h("span", { class: "hint", id: "edit-bitrate-hint" }, "Empty for no limit.")),
    h("fieldset", {}, h("legend", {}, "Libraries"),
      h("label", { class: "check" }, all, "All libraries"),
      libraries.map((library, i) => h("label", { class: "check" }, boxes[i], `${library.name} (${library.path})`))),
    h("fieldset", {}, h("legend", {}, "Rights"),
      h("label", { class: "check" }, download, "May download files"),
      h("label", { class: "check" }, share, "May share")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "edit-save" }, "Save")));
  const { close } = openDialog({ title: `Edit ${user.username}`, testid: "user-dialog", body: form });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      displayName: displayName.value.trim(), email: email.value.trim() || null, role: role.value,
      canDownload: download.checked, canShare: share.checked,
    };
    if (bitrate.value === "") body.clearMaxBitrate = true;
    else body.maxBitrate = Number(bitrate.value);
    if (all.checked) body.allLibraries = true;
    else body.libraryIds = boxes.filter((box) => box.checked).map((box) => box.value);
    try {
      await api(`/admin/users/${enc(user.id)}`, { method: "PATCH", body });
      announce(`Saved ${user.username}.`);
      close();
      reload();
    } catch (error) {
      announceError(error, "Saving the user");
    }
  });
  displayName.focus();
}

function resetPassword(user) {
  const password = h("input", { id: "reset-password", type: "password", required: true, minlength: 8, autocomplete: "new-password", "data-testid": "reset-password" });
  const form = h("form", { class: "settings" },
    h("input", { type: "text", name: "username", autocomplete: "username", value: user.username, class: "visually-hidden", tabindex: "-1", "aria-hidden": "true", readonly: true }),
    h("div", { class: "field" }, h("label", { for: "reset-password" }, "New password (8 characters or more)"), password),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Set password")));
  const { close } = openDialog({ title: `New password for ${user.username}`, testid: "password-dialog", body: form });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`/admin/users/${enc(user.id)}/password`, { method: "PUT", body: { newPassword: password.value } });
      announce(`Password of ${user.username} changed.`);
      close();
    } catch (error) {
      announceError(error, "Setting the password");
    }
  });
  password.focus();
}

// MARK: - Libraries

function librariesSection(signal, initial) {
  const list = h("ul", { class: "plain-list", "data-testid": "library-list" });
  const render = (libraries) => {
    list.replaceChildren(...libraries.map((library) => h("li", { "data-testid": "library-row" },
      h("span", {}, h("strong", {}, library.name), " ", h("code", {}, library.path),
        library.configured ? h("span", { class: "meta" }, " (from the configuration file)") : null),
      library.configured ? null : h("button", { type: "button", class: "danger", "data-testid": "library-remove", "aria-label": `Remove library ${library.name}`, onclick: async () => {
        if (!(await confirmDialog(`Remove the library “${library.name}”? Its tracks leave the catalog (files stay on disk).`, { confirmLabel: "Remove", danger: true }))) return;
        try {
          await api(`/admin/libraries/${enc(library.id)}`, { method: "DELETE" });
          announce(`Removed ${library.name}.`);
          reload();
        } catch (error) {
          announceError(error, "Removing the library");
        }
      } }, "Remove"))));
    if (!libraries.length) list.append(h("li", { class: "empty" }, "No libraries yet. Add a folder below, then start a scan."));
  };
  const reload = async () => render(listOf(await api("/admin/libraries", { signal })));
  const path = h("input", { id: "library-path", required: true, autocomplete: "off", placeholder: "/srv/music", "data-testid": "library-path" });
  const name = h("input", { id: "library-name", autocomplete: "off", placeholder: "Optional", "data-testid": "library-name" });
  const form = h("form", { class: "inline-form" },
    h("label", { for: "library-path" }, "Folder path on the server"), path,
    h("label", { for: "library-name" }, "Name"), name,
    h("button", { type: "submit", "data-testid": "library-add" }, "Add library"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api("/admin/libraries", { method: "POST", body: { path: path.value.trim(), name: name.value.trim() || undefined } });
      form.reset();
      announce(`Added ${created.name}. Start a scan to read it.`);
      reload();
    } catch (error) {
      announceError(error, "Adding the library");
    }
  });
  render(initial);
  return h("section", { class: "panel", id: "admin-libraries", "aria-labelledby": "libraries-head" },
    h("h2", { id: "libraries-head" }, "Libraries"), list, form);
}

// MARK: - Scan

function summaryText(status) {
  const s = status?.summary ?? {};
  const head = s.cancelled ? "Scan cancelled" : "Scan finished";
  const parts = [`${s.added ?? 0} added`, `${s.updated ?? 0} updated`, `${s.removed ?? 0} removed`];
  const extra = [];
  if (s.moved) extra.push(`${s.moved} moved`);
  if (s.unchanged != null) extra.push(`${s.unchanged} unchanged`);
  if (s.skipped) extra.push(`${s.skipped} skipped`);
  if (s.errors) extra.push(plural(s.errors, "error"));
  const seconds = typeof s.duration === "number" ? ` in ${s.duration.toFixed(1)} s` : s.duration ? ` in ${s.duration}` : "";
  return `${head}: ${parts.join(", ")}${extra.length ? " (" + extra.join(", ") + ")" : ""}${seconds}.`;
}

function problemsList(status) {
  const problems = listOf(status?.summary?.problems);
  if (!problems.length) return null;
  return h("details", { class: "problems" },
    h("summary", {}, `${plural(problems.length, "problem")}`),
    h("ul", {}, problems.slice(0, 200).map((p) =>
      h("li", {}, typeof p === "string" ? p : [p.path, p.message ?? p.reason ?? p.error].filter(Boolean).join(": ") || JSON.stringify(p)))));
}

function scanSection(signal) {
  const button = h("button", { type: "button", class: "primary", "data-testid": "scan-start" }, "Start scan");
  const progress = h("progress", { id: "scan-progress", "data-testid": "scan-progress", max: 1, value: 0, "aria-label": "Scan progress" });
  const progressText = h("span", { class: "meta", "data-testid": "scan-progress-text" }, "Idle.");
  const summary = h("p", { class: "scan-summary", "data-testid": "scan-summary", role: "status", "aria-live": "polite" });
  const last = h("p", { class: "meta", "data-testid": "scan-last" });
  const problems = h("div");
  // Why the last scan stopped before its end (a full disk, say), until one completes.
  const failure = h("p", { class: "error-text", role: "alert", "data-testid": "scan-error", hidden: true });
  let waitingFor = null; // completedScans count before the scan we started
  let pollTimer = null;

  const showProgress = (status) => {
    if (status.running) {
      const expected = status.expectedFiles ?? 0;
      const seen = status.filesSeen ?? 0;
      if (expected > 0) {
        progress.max = expected;
        progress.value = Math.min(seen, expected);
      } else {
        progress.removeAttribute("value"); // indeterminate until the total is known
      }
      progressText.textContent = expected > 0 ? `${seen} of ${expected} files` : `${seen} files so far`;
      progress.dataset.seen = "true";
      button.disabled = true;
      button.textContent = "Scanning…";
    } else {
      button.disabled = false;
      button.textContent = "Start scan";
      progressText.textContent = "Idle.";
    }
  };
  const finished = (status) => {
    waitingFor = null;
    clearInterval(pollTimer);
    progress.max = 1;
    progress.value = 1;
    summary.textContent = summaryText(status);
    last.hidden = true;
    summary.dataset.completed = String(status.completedScans ?? "");
    problems.replaceChildren(problemsList(status) ?? "");
    showProgress({ ...status, running: false });
  };
  const update = (status) => {
    if (!status) return;
    showProgress(status);
    failure.textContent = status.running ? "" : status.lastError ?? "";
    failure.hidden = !failure.textContent;
    // Our scan stopped without completing: no "done" will come.
    if (waitingFor != null && !status.running && status.lastError && (status.completedScans ?? 0) === waitingFor) {
      waitingFor = null;
      clearInterval(pollTimer);
      announce("The scan stopped: " + status.lastError);
    }
    if (!status.running && status.completedScans > 0 && waitingFor == null && !summary.textContent) {
      last.textContent = `Last scan${status.startedAt ? " started " + fmtDate(status.startedAt) : ""}: ${summaryText(status).replace(/^Scan (finished|cancelled): /, "")}`;
    }
    // Our scan ended (also covers a "done" event lost between the POST and the stream).
    if (waitingFor != null && !status.running && (status.completedScans ?? 0) > waitingFor) finished(status);
  };

  const parse = (event) => {
    try {
      return JSON.parse(event.data);
    } catch {
      return null;
    }
  };
  const source = new EventSource("/api/v1/admin/scan/events");
  source.addEventListener("progress", (event) => update(parse(event)));
  source.addEventListener("done", (event) => {
    const status = parse(event);
    if (status) finished(status);
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) progressText.textContent = "Live progress unavailable.";
  });
  signal.addEventListener("abort", () => {
    source.close();
    clearInterval(pollTimer);
  });

  button.addEventListener("click", async () => {
    button.disabled = true;
    summary.textContent = "";
    delete summary.dataset.completed;
    problems.replaceChildren();
    try {
      const before = await api("/admin/scan", { signal });
      waitingFor = before?.completedScans ?? 0;
      await api("/admin/scan", { method: "POST", signal });
      progressText.textContent = "Scan started…";
      announce("Scan started.");
      // A slow safety net besides the event stream (unless the "done" event came already).
      if (waitingFor != null) pollTimer = setInterval(async () => {
        try {
          update(await api("/admin/scan", { signal }));
        } catch {
          // keep waiting for the stream
        }
      }, 2000);
    } catch (error) {
      waitingFor = null;
      button.disabled = false;
      announceError(error, "Starting the scan");
    }
  });

  api("/admin/scan", { signal }).then(update).catch(() => {});
  return h("section", { class: "panel", id: "admin-scan", "aria-labelledby": "scan-head" },
    h("h2", { id: "scan-head" }, "Library scan"),
    h("div", { class: "row" }, button, progress, progressText),
    failure, summary, problems, last);
}

// MARK: - Plugins

/** What a plugin declares it needs, in words. */
function permissionsText(permissions, descriptor) {
  if (!permissions) return "—";
  const parts = [];
  if (descriptor?.migrations?.length) parts.push(`its own tables (${descriptor.id}_…)`);
  const hosts = [...(permissions.networkHosts ?? []), ...(permissions.networkHostKeys ?? []).map((key) => `the host of ${key}`)];
  if (hosts.length) parts.push(`network: ${hosts.join(", ")}`);
  if (permissions.linkedAccounts) parts.push("listeners' linked accounts");
  if (permissions.listens) parts.push("what listeners play");
  if (permissions.routes) parts.push("routes for signed-in listeners");
  if (permissions.publicRoutes) parts.push("public routes (callbacks, webhooks)");
  if (permissions.listenerData) parts.push("listeners' plays, stars and playlists");
  if (permissions.events) parts.push("the household's events");
  return parts.join("; ") || "none";
}

async function pluginsSection(signal) {
  let plugins = [];
  try {
    plugins = listOf(await api("/admin/plugins", { signal }));
  } catch (error) {
    return h("section", { class: "panel", id: "admin-plugins" }, h("h2", {}, "Plugins"), h("p", { class: "error-text" }, error.message));
  }
  const text = (value) => (value == null ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value));
  return h("section", { class: "panel", id: "admin-plugins", "aria-labelledby": "plugins-head" },
    h("h2", { id: "plugins-head" }, "Plugins"),
    plugins.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "plugins-table" },
          h("thead", {}, h("tr", {}, ["ID", "Name", "Version", "State", "Enabled", "Capabilities", "Permissions", "Message"].map((label) => h("th", { scope: "col" }, label)))),
          h("tbody", {}, plugins.map((plugin) => {
            const d = plugin.descriptor ?? plugin;
            return h("tr", { "data-testid": "plugin-row" },
              h("td", {}, h("code", {}, text(d.id))),
              h("td", {}, text(d.name)),
              h("td", {}, text(d.version)),
              h("td", {}, text(plugin.state)),
              h("td", {}, plugin.enabled ? "yes" : "no"),
              h("td", {}, listOf(plugin.capabilities).map(text).join(", ") || "—"),
              h("td", { "data-testid": "plugin-permissions" }, permissionsText(plugin.permissions, plugin.descriptor)),
              h("td", { "data-testid": "plugin-message" },
                plugin.failures ? `Failing (${plugin.failures} in a row): ${text(plugin.lastError)}` : text(plugin.message)));
          }))))
      : h("p", { class: "empty" }, "No plugins installed."),
    plugins.map((plugin) => pluginForm(plugin, signal)));
}

/** Enable, disable and configure one plugin now (what the configuration file sets stays read-only). */
function pluginForm(plugin, signal) {
  const d = plugin.descriptor;
  const enabled = h("input", { type: "checkbox", id: `plugin-enabled-${d.id}`, checked: plugin.enabled, "data-testid": `plugin-enabled-${d.id}` });
  const inputs = new Map();
  const fields = (plugin.settings ?? []).map((setting) => {
    const id = `plugin-${d.id}-${setting.key}`;
    const input = h("input", {
      id, type: setting.secret ? "password" : "text", autocomplete: "off", maxlength: 2000,
      value: setting.secret ? "" : setting.value ?? "", disabled: setting.locked,
      placeholder: setting.secret && setting.value ? "unchanged" : "", "data-testid": id,
    });
    inputs.set(setting.key, { input, setting });
    return h("div", { class: "field" }, h("label", { for: id }, setting.key), input,
      setting.locked ? h("p", { class: "meta" }, "Set in the configuration file.") : null);
  });
  const form = h("form", { class: "settings", "data-testid": `plugin-form-${d.id}` },
    h("div", { class: "field" }, h("label", { for: `plugin-enabled-${d.id}` }, "Enabled"), enabled),
    fields,
    h("div", { class: "actions" }, h("button", { type: "submit", "data-testid": `plugin-save-${d.id}` }, "Save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = {};
    for (const [key, { input, setting }] of inputs) {
      if (setting.locked) continue;
      if (setting.secret && input.value === "") continue; // unchanged
      values[key] = input.value.trim() || null;
    }
    try {
      const saved = await api(`/admin/plugins/${enc(d.id)}`, { method: "PUT", body: { enabled: enabled.checked, values } });
      announce(`${d.name}: ${saved.state}.`);
      const section = document.getElementById("admin-plugins");
      section?.replaceWith(await pluginsSection(signal));
    } catch (error) {
      announceError(error, `Saving ${d.name}`);
    }
  });
  return h("details", { class: "plugin-config", "data-testid": `plugin-config-${d.id}` },
    h("summary", {}, `Configure ${d.name}`), form);
}
