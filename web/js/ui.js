// Generic UI pieces: the status live region, pop-up menus, modal dialogs.

import { $, fill, h, icon } from "./dom.js";

// MARK: - Status messages (aria-live)

let statusTimer;

/** Shows a short message in the toast, which is also the polite live region. */
export function announce(message, { error = false, plan = false } = {}) {
  const status = $("#status");
  if (!status) return;
  clearTimeout(statusTimer);
  status.textContent = "";
  status.classList.toggle("error", error);
  status.classList.toggle("plan", plan);
  // A fresh text node after a tick makes screen readers repeat identical messages.
  requestAnimationFrame(() => {
    status.textContent = message;
    status.classList.add("visible");
  });
  statusTimer = setTimeout(() => status.classList.remove("visible"), error || plan ? 7000 : 4000);
}

/** A 402 "plan_required": the listener's plan does not include this (its message names the plan that does). */
export const isPlanRequired = (error) => error?.status === 402 && error?.code === "plan_required";

export function announceError(error, prefix = "") {
  if (error?.name === "AbortError") return;
  const message = error?.message ?? String(error);
  if (isPlanRequired(error)) {
    // Said as it is (it names the plan that would allow it), without "Doing X:" in front.
    announce(message, { plan: true });
    console.info(prefix, message);
    return;
  }
  announce(prefix ? `${prefix}: ${message}` : message, { error: true });
  console.warn(prefix, error);
}

/**
 * A notice that stays by a form when the listener's plan refuses what it does (a 402 "plan_required":
 * too many API keys, no room for an upload): the server's message, which names the plan that allows
 * it, and the way to the listener's plan. {el, show(error), clear()}; show() also says it in the toast.
 * onProfile: the page is the profile already (the link scrolls to "Your plan" rather than going there).
 */
export function planNotice(testid, { onProfile = false } = {}) {
  const el = h("p", { class: "notice plan-notice", "data-testid": testid, hidden: true });
  const link = () => onProfile
    ? h("button", { type: "button", class: "link-button", onclick: () => {
        const plan = document.getElementById("your-plan");
        plan?.scrollIntoView({ block: "start" });
        plan?.querySelector("h2")?.focus({ preventScroll: true });
      } }, "See your plan")
    : h("a", { href: "#/profile" }, "See your plan");
  return {
    el,
    show(error, prefix = "") {
      fill(el, error?.message ?? String(error), " ", link());
      el.hidden = false;
      announceError(error, prefix);
    },
    clear() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/** Announces a failure; a plan's refusal also stays in `notice` (a planNotice) by the form. */
export function announceRefusal(error, prefix, notice) {
  if (notice && isPlanRequired(error)) notice.show(error, prefix);
  else announceError(error, prefix);
}

/** Runs an async action, announcing its failure; returns its value or undefined. */
export async function attempt(action, prefix) {
  try {
    return await action();
  } catch (error) {
    announceError(error, prefix);
    return undefined;
  }
}

// MARK: - Menus

let openMenuState = null;

/**
 * A menu of actions anchored to a button (menu button pattern).
 * items: [{label, action, testid, icon}] (null entries are skipped).
 */
export function openMenu(anchor, items) {
  closeMenu();
  const entries = items.filter(Boolean);
  const menu = h("div", { class: "menu", role: "menu", id: "popup-menu", "aria-label": anchor.getAttribute("aria-label") ?? "Actions" });
  const buttons = entries.map((item) =>
    h("button", {
      type: "button", role: "menuitem", tabindex: "-1", "data-testid": item.testid,
      onclick: () => { closeMenu(true); item.action(); },
    }, item.icon ? icon(item.icon) : null, item.label)
  );
  menu.append(...buttons);
  document.body.append(menu);

  // Place it under (or above) the anchor, inside the viewport.
  const rect = anchor.getBoundingClientRect();
  const width = menu.offsetWidth;
  const height = menu.offsetHeight;
  let top = rect.bottom + 4;
  if (top + height > window.innerHeight - 8) top = Math.max(8, rect.top - height - 4);
  const left = Math.min(Math.max(8, rect.right - width), window.innerWidth - width - 8);
  menu.style.top = `${top}px`;
  menu.style.left = `${left}px`;

  anchor.setAttribute("aria-expanded", "true");
  anchor.setAttribute("aria-controls", "popup-menu");
  const focusAt = (i) => buttons[(i + buttons.length) % buttons.length]?.focus();
  menu.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") focusAt(index + 1);
    else if (event.key === "ArrowUp") focusAt(index - 1);
    else if (event.key === "Home") focusAt(0);
    else if (event.key === "End") focusAt(buttons.length - 1);
    else if (event.key === "Escape") closeMenu(true);
    else if (event.key === "Tab") closeMenu(false);
    else return;
    event.preventDefault();
  });
  const outside = (event) => {
    if (!menu.contains(event.target) && !anchor.contains(event.target)) closeMenu(false);
  };
  document.addEventListener("pointerdown", outside, true);
  window.addEventListener("resize", () => closeMenu(false), { once: true });
  openMenuState = { menu, anchor, outside };
  focusAt(0);
}

export function closeMenu(refocus = false) {
  if (!openMenuState) return;
  const { menu, anchor, outside } = openMenuState;
  openMenuState = null;
  document.removeEventListener("pointerdown", outside, true);
  menu.remove();
  anchor.setAttribute("aria-expanded", "false");
  if (refocus && anchor.isConnected) anchor.focus();
}

/** A "⋯" button that opens a menu built on demand. */
export function menuButton(label, buildItems, testid = "track-menu") {
  const button = h("button", {
    type: "button", class: "icon-btn", "aria-label": label, "aria-haspopup": "menu", "aria-expanded": "false",
    "data-testid": testid, title: label,
  }, icon("more"));
  button.addEventListener("click", () => {
    if (openMenuState?.anchor === button) closeMenu(true);
    else openMenu(button, buildItems());
  });
  return button;
}

// MARK: - Dialogs

let dialogCounter = 0;

/**
 * A modal <dialog> (focus trap and Escape come with showModal). Returns {dialog, close}.
 * body: nodes; removed from the page when closed. onClose runs once.
 */
export function openDialog({ title, body, testid, onClose }) {
  const titleId = `dialog-title-${++dialogCounter}`;
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": titleId, "data-testid": testid },
    h("div", { class: "dialog-head" },
      h("h2", { id: titleId }, title),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: () => dialog.close() }, icon("close"))),
    h("div", { class: "dialog-body" }, body));
  const previous = document.activeElement;
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose?.();
    if (previous?.isConnected) previous.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, close: () => dialog.close() };
}

/** Asks a yes/no question in a dialog; resolves true when confirmed. */
export function confirmDialog(message, { confirmLabel = "OK", danger = false, title = "Please confirm" } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const ok = h("button", { type: "button", class: danger ? "danger" : "primary", "data-testid": "confirm-ok",
      onclick: () => { answer = true; close(); } }, confirmLabel);
    const cancel = h("button", { type: "button", "data-testid": "confirm-cancel", onclick: () => close() }, "Cancel");
    const { close } = openDialog({
      title, testid: "confirm-dialog", onClose: () => resolve(answer),
      body: [h("p", {}, message), h("div", { class: "actions" }, cancel, ok)],
    });
    cancel.focus();
  });
}

/** Shows a secret once, with a copy button. */
export function secretDialog(title, explanation, secret) {
  const output = h("input", { class: "secret", readonly: true, value: secret, "aria-label": title, "data-testid": "secret-value" });
  const copy = h("button", { type: "button", onclick: async () => {
    output.select();
    try {
      await navigator.clipboard.writeText(secret);
      announce("Copied to the clipboard.");
    } catch {
      announce("Press Ctrl+C (⌘C) to copy the selected text.");
    }
  } }, "Copy");
  openDialog({ title, testid: "secret-dialog", body: [h("p", {}, explanation), h("div", { class: "row" }, output, copy)] });
  output.select();
}
