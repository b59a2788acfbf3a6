// Profile: name and email, your plan and payments, password, avatar, sessions, Subsonic app password, API keys,
// connected scrobbling accounts, Spotify (the link, sync, playlists, Connect, the history import
// and the music the library lacks).

import { api, enc, listOf } from "../api.js";
import { append, fmtDate, h, icon } from "../dom.js";
import { myPlan } from "../plan.js";
import { setQuery } from "../router.js";
import { session } from "../session.js";
import { announce, announceError, announceRefusal, confirmDialog, planNotice, secretDialog } from "../ui.js";
import { myPlanSection } from "./plans.js";
import { spotifySection } from "./spotify.js";

/** Services with a section of their own on this page (not listed with the scrobblers). */
const OWN_SECTIONS = new Set(["spotify"]);

export default async function profileView(view, { query, signal }) {
  const me = await api("/me", { signal });
  // Back from a service's own page (Last.fm, Spotify): say how connecting went.
  const linked = query?.get("linked");
  const linkFailed = query?.get("link-failed");
  if (linked) announce(linked === "spotify" ? "Spotify linked." : "Account connected.");
  if (linkFailed) announceError(new Error("the service did not grant access, or the link expired; try again"), "Connecting");
  // Said once: a reload of the page does not say it again.
  if (linked || linkFailed) setQuery({ linked: null, "link-failed": null });
  session.me = me;
  append(view, 
    h("div", { class: "page-head" }, h("h1", {}, "Profile"),
      h("div", { class: "toolbar" }, h("button", { type: "button", "data-testid": "profile-logout", onclick: () => document.getElementById("logout-button").click() }, "Sign out"))),
    h("p", { class: "meta" }, `Signed in as ${me.username} (${me.role}) · member since ${fmtDate(me.createdAt)}`),
    accountSection(me),
    await myPlanSection(signal, query),
    avatarSection(),
    passwordSection(me),
    await sessionsSection(signal),
    appPasswordSection(),
    await apiKeysSection(signal),
    await connectedAccountsSection(signal),
    await spotifySection(signal),
    await pluginSettingsSection(signal));
  // Back from Spotify: its section, where the link shows, is what the listener came for.
  if ((linked ?? linkFailed) === "spotify") {
    requestAnimationFrame(() => view.querySelector('[data-testid="spotify-account"]')?.scrollIntoView({ block: "center" }));
  }
}

/** The settings plugins ask each listener for (typed; label and help from the plugin). */
async function pluginSettingsSection(signal) {
  const entries = listOf(await api("/me/plugin-settings", { signal }));
  if (!entries.length) return null;
  return h("section", { class: "panel", "aria-labelledby": "plugin-settings-head" },
    h("h2", { id: "plugin-settings-head" }, "Plugin settings"),
    entries.map((entry) => {
      const inputs = new Map();
      const fields = entry.settings.map((setting) => {
        const id = `setting-${entry.plugin}-${setting.key}`;
        let input;
        if (setting.kind === "bool") {
          input = h("input", { id, type: "checkbox", checked: setting.value === "true", "data-testid": id });
        } else if (setting.kind === "choice") {
          input = h("select", { id, "data-testid": id }, setting.choices.map((choice) => h("option", { value: choice, selected: choice === setting.value }, choice)));
        } else {
          input = h("input", { id, type: setting.kind === "integer" ? "number" : "text", value: setting.value, maxlength: 500, "data-testid": id });
        }
        inputs.set(setting.key, input);
        return h("div", { class: "field" }, h("label", { for: id }, setting.label), input,
          setting.help ? h("p", { class: "meta" }, setting.help) : null);
      });
      const form = h("form", { class: "settings", "data-testid": `plugin-settings-${entry.plugin}` },
        h("h3", {}, entry.name), fields,
        h("div", { class: "actions" }, h("button", { type: "submit", "data-testid": `plugin-settings-save-${entry.plugin}` }, "Save")));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const values = {};
        for (const [key, input] of inputs) values[key] = input.type === "checkbox" ? String(input.checked) : input.value;
        try {
          await api(`/me/plugin-settings/${enc(entry.plugin)}`, { method: "PUT", body: { values } });
          announce(`${entry.name} settings saved.`);
        } catch (error) {
          announceError(error, `Saving ${entry.name} settings`);
        }
      });
      return form;
    }));
}

/** Scrobblers (ListenBrainz …): paste a token to connect; what was sent and what waits. */
async function connectedAccountsSection(signal) {
  const list = h("div", { class: "connected-accounts", "data-testid": "connected-accounts" });
  const load = async () => {
    const accounts = listOf(await api("/me/linked-accounts", { signal })).filter((account) => !OWN_SECTIONS.has(account.plugin));
    list.replaceChildren(...accounts.map((account) => {
      const id = `link-${account.plugin}`;
      const web = account.linkStyle === "web";
      const token = web ? null : h("input", { id, type: "password", autocomplete: "off", maxlength: 1024, "data-testid": `link-token-${account.plugin}` });
      const state = !account.linked ? "Not connected."
        : account.state === "reconnect" ? `Needs reconnecting: ${account.message ?? "the service refused the account"}.`
        : `Connected${account.account ? ` as ${account.account}` : ""} · ${account.sent} sent${account.waiting ? ` · ${account.waiting} waiting` : ""}${account.lastSentAt ? ` · last ${fmtDate(account.lastSentAt)}` : ""}.`;
      const form = h("form", { class: "inline-form" },
        web ? null : h("label", { for: id }, account.linked ? "New token" : "Token"), token,
        h("button", { type: "submit", "data-testid": `link-connect-${account.plugin}` },
          account.linked ? "Reconnect" : web ? `Connect on ${account.name}` : "Connect"));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          if (web) {
            // The service's own page; it sends the browser back to the server, then to this page.
            const { url } = await api(`/me/linked-accounts/${enc(account.plugin)}/authorize`, { method: "POST" });
            location.assign(url);
            return;
          }
          await api(`/me/linked-accounts/${enc(account.plugin)}`, { method: "PUT", body: { token: token.value.trim() } });
          announce(`${account.name} connected.`);
          load();
        } catch (error) {
          announceError(error, `Connecting ${account.name}`);
        }
      });
      const disconnect = account.linked ? h("button", { type: "button", class: "danger", "data-testid": `link-disconnect-${account.plugin}`, onclick: async () => {
        if (!(await confirmDialog(`Disconnect ${account.name}? Plays are no longer sent there.`, { confirmLabel: "Disconnect", danger: true }))) return;
        try {
          await api(`/me/linked-accounts/${enc(account.plugin)}`, { method: "DELETE" });
          announce(`${account.name} disconnected.`);
          load();
        } catch (error) {
          announceError(error, `Disconnecting ${account.name}`);
        }
      } }, "Disconnect") : null;
      return h("div", { class: "connected-account", "data-testid": `linked-${account.plugin}` },
        h("h3", {}, account.name),
        h("p", { class: "meta", "data-testid": `link-state-${account.plugin}` }, state),
        form, disconnect);
    }));
    if (!accounts.length) list.append(h("p", { class: "empty" }, "No scrobbling service is enabled on this server."));
  };
  await load();
  return h("section", { class: "panel", "aria-labelledby": "connected-head" },
    h("h2", { id: "connected-head" }, "Connected accounts"),
    h("p", {}, "Plays you finish (half a track, or four minutes) are sent to the services you connect, while scrobbling is on in your preferences."),
    list);
}

function accountSection(me) {
  const name = h("input", { id: "profile-name", value: me.displayName ?? "", maxlength: 100, autocomplete: "name", "data-testid": "profile-name" });
  const email = h("input", { id: "profile-email", type: "email", value: me.email ?? "", maxlength: 200, autocomplete: "email", "data-testid": "profile-email" });
  const form = h("form", { class: "settings" },
    h("div", { class: "field" }, h("label", { for: "profile-name" }, "Display name"), name),
    h("div", { class: "field" }, h("label", { for: "profile-email" }, "Email"), email),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "profile-save" }, "Save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const updated = await api("/me", { method: "PATCH", body: { displayName: name.value.trim(), email: email.value.trim() || null } });
      session.me = updated;
      document.getElementById("user-link").textContent = updated.displayName || updated.username;
      announce("Profile saved.");
    } catch (error) {
      announceError(error, "Saving the profile");
    }
  });
  return h("section", { class: "panel", "aria-labelledby": "account-head" }, h("h2", { id: "account-head" }, "Account"), form);
}

function avatarSection() {
  const image = h("img", { class: "avatar-large", alt: "Your avatar", width: 96, height: 96, "data-testid": "avatar-image" });
  const placeholder = h("span", { class: "avatar-large placeholder", "aria-hidden": "true" }, icon("note"));
  const refresh = () => {
    image.hidden = false;
    placeholder.hidden = true;
    image.src = `/api/v1/me/avatar?v=${Date.now()}`;
  };
  image.addEventListener("error", () => {
    image.hidden = true;
    placeholder.hidden = false;
  });
  const file = h("input", { id: "avatar-file", type: "file", accept: "image/png,image/jpeg,image/webp,image/gif", "data-testid": "avatar-file" });
  const refused = planNotice("avatar-plan-notice", { onProfile: true });
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    if (chosen.size > 2 * 1024 * 1024) {
      announce("That image is larger than 2 MB.", { error: true });
      file.value = "";
      return;
    }
    try {
      await api("/me/avatar", { method: "PUT", raw: chosen, contentType: chosen.type || "application/octet-stream" });
      refused.clear();
      announce("Avatar updated.");
      refresh();
    } catch (error) {
      announceRefusal(error, "Uploading the avatar", refused);
    }
    file.value = "";
  });
  refresh();
  return h("section", { class: "panel", "aria-labelledby": "avatar-head" },
    h("h2", { id: "avatar-head" }, "Avatar"),
    h("div", { class: "row" }, image, placeholder, h("div", { class: "field" }, h("label", { for: "avatar-file" }, "Upload a picture"), file)),
    refused.el);
}

function passwordSection(me) {
  const current = h("input", { id: "pw-current", type: "password", required: true, autocomplete: "current-password", "data-testid": "pw-current" });
  const next = h("input", { id: "pw-new", type: "password", required: true, minlength: 8, autocomplete: "new-password", "data-testid": "pw-new" });
  const again = h("input", { id: "pw-again", type: "password", required: true, minlength: 8, autocomplete: "new-password", "data-testid": "pw-again" });
  const form = h("form", { class: "settings" },
    // For password managers: which account this is.
    h("input", { type: "text", name: "username", autocomplete: "username", value: me.username, class: "visually-hidden", tabindex: "-1", "aria-hidden": "true", readonly: true }),
    h("div", { class: "field" }, h("label", { for: "pw-current" }, "Current password"), current),
    h("div", { class: "field" }, h("label", { for: "pw-new" }, "New password (8 characters or more)"), next),
    h("div", { class: "field" }, h("label", { for: "pw-again" }, "New password again"), again),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "pw-save" }, "Change password")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (next.value !== again.value) {
      announce("The new passwords differ.", { error: true });
      again.focus();
      return;
    }
    try {
      await api("/me/password", { method: "PUT", body: { currentPassword: current.value, newPassword: next.value } });
      form.reset();
      announce("Password changed.");
      // The server signs every session out on a password change: ask for the new password.
      const still = await api("/me", { quiet401: true }).catch(() => null);
      if (!still) window.dispatchEvent(new CustomEvent("canto:signin", { detail: "Password changed. Sign in with the new password." }));
    } catch (error) {
      announceError(error, "Changing the password");
    }
  });
  return h("section", { class: "panel", "aria-labelledby": "password-head" }, h("h2", { id: "password-head" }, "Password"), form);
}

async function sessionsSection(signal) {
  const body = h("tbody");
  const section = h("section", { class: "panel", "aria-labelledby": "sessions-head" },
    h("h2", { id: "sessions-head" }, "Signed-in sessions"),
    h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "sessions-table" },
      h("thead", {}, h("tr", {}, ["App", "Address", "Signed in", "Last used", "Expires"].map((label) => h("th", { scope: "col" }, label)),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      body)));
  const load = async () => {
    const sessions = listOf(await api("/me/sessions", { signal }));
    body.replaceChildren(...sessions.map((s) => h("tr", { "data-testid": "session-row" },
      h("td", {}, s.client ?? "Browser", s.current ? h("strong", {}, " (this one)") : null),
      h("td", {}, s.address ?? "—"),
      h("td", {}, fmtDate(s.createdAt)),
      h("td", {}, fmtDate(s.lastUsedAt)),
      h("td", {}, fmtDate(s.expiresAt)),
      h("td", {}, h("button", { type: "button", class: "danger", "data-testid": "session-revoke", onclick: async () => {
        const question = s.current ? "Revoke this session? You will be signed out." : "Revoke this session? That device will be signed out.";
        if (!(await confirmDialog(question, { confirmLabel: "Revoke", danger: true }))) return;
        try {
          await api(`/me/sessions/${enc(s.id)}`, { method: "DELETE" });
          announce("Session revoked.");
          if (s.current) location.reload();
          else load();
        } catch (error) {
          announceError(error, "Revoking the session");
        }
      } }, "Revoke")))));
  };
  await load();
  return section;
}

function appPasswordSection() {
  const button = h("button", { type: "button", "data-testid": "app-password", onclick: async () => {
    if (!(await confirmDialog("Make a new Subsonic app password? Apps using the old one must sign in again.", { confirmLabel: "Make new password" }))) return;
    try {
      const { secret } = await api("/me/app-password", { method: "POST" });
      secretDialog("Subsonic app password", "Use this password in Subsonic apps (with your username). It is shown only once.", secret);
    } catch (error) {
      announceError(error, "Making the app password");
    }
  } }, "Make a new app password");
  return h("section", { class: "panel", "aria-labelledby": "app-head" },
    h("h2", { id: "app-head" }, "Subsonic app password"),
    h("p", {}, "Subsonic apps sign in with your username and this separate password, never your main one."),
    button);
}

async function apiKeysSection(signal) {
  const body = h("tbody");
  const name = h("input", { id: "key-name", required: true, maxlength: 100, autocomplete: "off", "data-testid": "key-name" });
  const form = h("form", { class: "inline-form" },
    h("label", { for: "key-name" }, "Name"), name,
    h("button", { type: "submit", "data-testid": "key-create" }, "Create key"));
  const refused = planNotice("key-plan-notice", { onProfile: true });
  const load = async () => {
    const keys = listOf(await api("/me/api-keys", { signal }));
    body.replaceChildren(...keys.map((key) => h("tr", { "data-testid": "key-row" },
      h("td", {}, key.name),
      h("td", {}, fmtDate(key.createdAt)),
      h("td", {}, fmtDate(key.lastUsedAt)),
      h("td", {}, h("button", { type: "button", class: "danger", "aria-label": `Revoke key ${key.name}`, onclick: async () => {
        if (!(await confirmDialog(`Revoke the key “${key.name}”?`, { confirmLabel: "Revoke", danger: true }))) return;
        try {
          await api(`/me/api-keys/${enc(key.id)}`, { method: "DELETE" });
          refused.clear();
          announce("Key revoked.");
          load();
        } catch (error) {
          announceError(error, "Revoking the key");
        }
      } }, "Revoke")))));
    if (!keys.length) body.append(h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No API keys.")));
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api("/me/api-keys", { method: "POST", body: { name: name.value.trim() } });
      refused.clear();
      form.reset();
      secretDialog("New API key", `The key “${created.name}” is shown only once. Copy it now.`, created.key);
      load();
    } catch (error) {
      announceRefusal(error, "Creating the key", refused);
    }
  });
  await load();
  // What the listener's plan allows (admins are never limited: their entitlements say no limit).
  const limit = await myPlan().then(({ mine }) => mine).catch(() => null);
  const allowed = limit?.entitlements?.apiKeys;
  return h("section", { class: "panel", "aria-labelledby": "keys-head" },
    h("h2", { id: "keys-head" }, "API keys"),
    h("p", {}, "Keys let scripts and apps use the API as you."),
    allowed != null
      ? h("p", { class: "hint", "data-testid": "key-plan-limit" },
          allowed === 0 ? `Your plan (${limit.plan?.name ?? "Free"}) includes no API keys.`
            : `Your plan (${limit.plan?.name ?? "Free"}) allows ${allowed} API ${allowed === 1 ? "key" : "keys"}.`)
      : null,
    form,
    refused.el,
    h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "keys-table" },
      h("thead", {}, h("tr", {}, ["Name", "Created", "Last used"].map((label) => h("th", { scope: "col" }, label)),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      body)));
}
