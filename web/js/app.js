// Start-up: sign-in, the shell (navigation, menu button), routes, and global shortcuts.

import { api, onUnauthorized } from "./api.js";
import { markPlaying } from "./components.js";
import { $, $$, h, icon } from "./dom.js";
import * as player from "./player.js";
import { refreshStreamVariant } from "./plan.js";
import * as remote from "./remote.js";
import { initPlayerBar } from "./playerbar.js";
import { render, route, start } from "./router.js";
import { initSearch } from "./search.js";
import { applyStoredTheme, applyTheme, session } from "./session.js";
import { announceError, closeMenu } from "./ui.js";

applyStoredTheme();

// Icons named in the static HTML.
for (const holder of $$("[data-icon]")) holder.replaceWith(icon(holder.dataset.icon, `icon ${holder.className}`.trim()));

// MARK: - Routes (views load on first use)

route("/", () => import("./views/albums.js"));
route("/for-you", () => import("./views/foryou.js"));
route("/sonic-path", () => import("./views/sonicpath.js"));
route("/albums", () => import("./views/albums.js"));
route("/album/:id", () => import("./views/album.js"));
route("/artists", () => import("./views/artists.js"));
route("/artist/:id", () => import("./views/artist.js"));
route("/genres", () => import("./views/genres.js"));
route("/folders", () => import("./views/folders.js"));
route("/folders/:id", () => import("./views/folders.js"));
route("/search", () => import("./views/search.js"));
route("/queue", () => import("./views/queue.js"));
route("/devices", () => import("./views/devices.js"));
route("/playlists", () => import("./views/playlists.js"));
route("/playlist/:id", () => import("./views/playlist.js"));
route("/starred", () => import("./views/starred.js"));
route("/history", () => import("./views/history.js"));
route("/stats", () => import("./views/stats.js"));
route("/stats/year/:year", () => import("./views/review.js"));
route("/preferences", () => import("./views/preferences.js"));
route("/profile", () => import("./views/profile.js"));
route("/spotify/playlist/:id", () => import("./views/spotifyplaylist.js"));
route("/admin", () => import("./views/admin.js"));
route("/admin/system", () => import("./views/system.js"));

const NAV_OF = { "": "albums", album: "albums", artist: "artists", playlist: "playlists", "sonic-path": "for-you", spotify: "profile" };
let firstRender = true;

async function renderView({ path, query, params, load, signal }) {
  const main = $("#main");
  closeMenu();
  setNavOpen(false);
  const section = path.split("/")[1] ?? "";
  const navKey = NAV_OF[section] ?? section;
  for (const link of $$("#sidebar a[data-nav]")) {
    if (link.dataset.nav === navKey) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const view = h("div", { class: "view", "data-view": navKey || "albums" });
  main.replaceChildren(view);
  if (!firstRender) {
    main.scrollTop = 0;
  }
  if (!load) {
    view.append(h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "#/albums" }, "Go to the albums")));
    return;
  }
  view.setAttribute("aria-busy", "true");
  try {
    const module = await load();
    if (signal.aborted) return;
    await module.default(view, { params, query, signal });
  } catch (error) {
    if (signal.aborted || error?.name === "AbortError") return;
    if (error?.status === 401) return; // the login view took over
    if (error?.status === 402 && error?.code === "plan_required") {
      view.replaceChildren(
        h("h1", { tabindex: "-1" }, "Not in your plan"),
        h("p", { class: "notice plan-notice", role: "alert", "data-testid": "plan-required" }, error.message),
        h("p", {}, h("a", { href: "#/profile" }, "See your plan")));
    } else {
      view.replaceChildren(
        h("h1", { tabindex: "-1" }, "Something went wrong"),
        h("p", { class: "error-text", "data-testid": "view-error" }, error?.message ?? String(error)));
      console.error(error);
    }
  } finally {
    view.removeAttribute("aria-busy");
  }
  if (signal.aborted) return;
  const heading = view.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    document.title = `${heading.textContent} · Canto`;
    // Move focus to the new page's heading, unless the user is typing somewhere else.
    const active = document.activeElement;
    const typing = active && (active.id === "search-input" || active.closest?.("#player"));
    if (!firstRender && !typing) heading.focus({ preventScroll: true });
  }
  firstRender = false;
  markPlaying(view);
}

// MARK: - Shell

function setNavOpen(open) {
  const app = $("#app");
  app.classList.toggle("nav-open", open);
  $("#menu-button").setAttribute("aria-expanded", open ? "true" : "false");
  $("#scrim").hidden = !open;
}

function initShell() {
  $("#menu-button").addEventListener("click", () => {
    const open = !$("#app").classList.contains("nav-open");
    setNavOpen(open);
    if (open) $("#sidebar a")?.focus();
  });
  $("#scrim").addEventListener("click", () => setNavOpen(false));
  $("#sidebar").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && $("#app").classList.contains("nav-open")) {
      setNavOpen(false);
      $("#menu-button").focus();
    }
  });
  $("#skip-link").addEventListener("click", () => $("#main").focus());
  $("#logout-button").addEventListener("click", logout);

  // Global shortcuts: "/" focuses search, Space toggles playback (outside form controls).
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const inControl = target.closest?.("input, textarea, select, button, a, [role=option], [contenteditable], dialog, [data-index]");
    if (event.key === "/" && !inControl) {
      event.preventDefault();
      $("#search-input").focus();
    } else if (event.key === " " && !inControl && !$("#app").hidden) {
      event.preventDefault();
      player.toggle();
    }
  });

  player.on("track", () => markPlaying($("#main")));
}

// MARK: - Signing in and out

let appStarted = false;

async function showLogin(message = "") {
  player.pause();
  $("#login-error").textContent = message;
  $("#boot").hidden = true;
  $("#app").hidden = true;
  $("#login-view").hidden = false;
  try {
    const setup = await api("/auth/setup", { quiet401: true });
    const needed = Boolean(setup?.setupRequired);
    $("#setup-notice").hidden = !needed;
    $("#login-form").hidden = needed;
  } catch {
    $("#setup-notice").hidden = true;
  }
  ($("#login-username").value ? $("#login-password") : $("#login-username")).focus();
}

function initLogin() {
  const form = $("#login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#login-error");
    error.textContent = "";
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const result = await api("/auth/login", {
        method: "POST", quiet401: true,
        body: { username: $("#login-username").value.trim(), password: $("#login-password").value },
      });
      $("#login-password").value = "";
      const previous = session.me;
      if (appStarted && previous && previous.id !== result.user?.id) {
        location.reload(); // someone else: start clean
        return;
      }
      await enterApp(result.user);
    } catch (failure) {
      error.textContent = failure.status === 401 ? "Wrong username or password." : failure.message;
    } finally {
      submit.disabled = false;
    }
  });
}

async function enterApp(me) {
  session.me = me ?? (await api("/me"));
  $("#login-view").hidden = true;
  $("#boot").hidden = true;
  $("#app").hidden = false;
  $("#user-link").textContent = session.me.displayName || session.me.username;
  $("#user-link").setAttribute("aria-label", `Profile of ${session.me.displayName || session.me.username}`);
  $("#nav-admin-item").hidden = !session.isAdmin;
  try {
    session.prefs = await api("/me/preferences");
    applyTheme(session.prefs?.theme ?? "auto");
  } catch (error) {
    announceError(error, "Loading preferences");
  }
  await refreshStreamVariant();
  if (!appStarted) {
    appStarted = true;
    await player.restore();
    remote.start();
    start(renderView);
  } else {
    render();
  }
}

async function logout() {
  await player.saveNow();
  try {
    await api("/auth/logout", { method: "POST", quiet401: true });
  } catch (error) {
    console.warn("logout", error);
  }
  remote.stop();
  player.reset();
  history.replaceState(null, "", "#/albums");
  location.reload();
}

// MARK: - Boot

async function boot() {
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/albums");
  initShell();
  initLogin();
  initPlayerBar();
  initSearch();
  onUnauthorized(() => {
    if ($("#login-view").hidden) showLogin("Your session ended. Please sign in again.");
  });
  window.addEventListener("canto:signin", (event) => showLogin(event.detail ?? ""));
  try {
    const me = await api("/me", { quiet401: true });
    await enterApp(me);
  } catch (error) {
    if (error.status === 401) showLogin();
    else {
      $("#boot").textContent = `Canto cannot be reached: ${error.message}`;
      $("#boot").removeAttribute("aria-busy");
    }
  }
}

boot();
