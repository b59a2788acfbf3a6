// Plans: what a listener's plan grants, their payments, the other plans (Profile); and for admins
// the plans' definitions, giving a listener a plan by hand, and the ledger with monthly totals (Admin).

import { api, enc, listOf } from "../api.js";
import { fill, h } from "../dom.js";
import { planChanged } from "../plan.js";
import { setQuery } from "../router.js";
import { session } from "../session.js";
import { announce, announceError, confirmDialog } from "../ui.js";

// MARK: - Words

/** A price in minor units as money ("3,00 €" or "€3.00" by the browser's locale); "Free" when 0. */
export function fmtMoney(minor, currency = "EUR") {
  if (!minor) return "Free";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** An amount that may be zero or negative (ledger lines, totals). */
function fmtAmount(minor, currency = "EUR") {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format((minor ?? 0) / 100);
  } catch {
    return `${((minor ?? 0) / 100).toFixed(2)} ${currency}`;
  }
}

const INTERVALS = { month: "a month", year: "a year", none: "" };

/** "3,00 € a month", "Free". */
export function priceText(plan) {
  const price = fmtMoney(plan.priceMinor, plan.currency);
  const every = plan.priceMinor ? INTERVALS[plan.interval] ?? "" : "";
  const trial = plan.trialDays ? ` · ${plan.trialDays}-day free trial` : "";
  return `${price}${every ? " " + every : ""}${trial}`;
}

/** KiB in words: "512 KB", "1 MB", "1.5 MB", "2 GB" (1 MB = 1024 KiB, as the server counts). */
export function fmtStorage(kb) {
  const trim = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, ""));
  if (kb >= 1024 * 1024) return `${trim(kb / (1024 * 1024))} GB`;
  if (kb >= 1024) return `${trim(kb / 1024)} MB`;
  return `${kb} KB`;
}

/**
 * The limits on what a listener keeps: API keys, uploads, libraries ("API keys: 1", "Uploads: 1 MB",
 * "Libraries: Open"). libraryNames: the names of the plan's libraries when known (else counted).
 */
export function limitList(e = {}, libraryNames = null) {
  let libraries = "Libraries: all";
  if (Array.isArray(e.libraries)) {
    if (libraryNames?.length) libraries = `Libraries: ${libraryNames.join(", ")}`;
    else if (libraryNames || !e.libraries.length) libraries = "Libraries: none";
    else libraries = `Libraries: ${e.libraries.length} of the server's`;
  }
  return [
    e.apiKeys != null ? `API keys: ${e.apiKeys === 0 ? "none" : e.apiKeys}` : "API keys: any number",
    e.storageKB != null ? `Uploads: ${e.storageKB === 0 ? "none" : fmtStorage(e.storageKB)}` : "Uploads: no limit",
    libraries,
  ];
}

/** What entitlements grant, as short phrases. */
export function grantList(e = {}, libraryNames = null) {
  return [
    e.maxBitrate != null ? `Streams up to ${e.maxBitrate} kbit/s` : e.originalFiles ? "Original quality (files as they are)" : "Streams transcoded, no bitrate cap",
    e.maxBitrate != null && e.originalFiles ? "Original files when under the cap" : null,
    e.downloads ? "Downloads: yes" : "Downloads: no",
    e.shares ? "Share links: yes" : "Share links: no",
    e.concurrentStreams != null ? `${e.concurrentStreams} ${e.concurrentStreams === 1 ? "stream" : "streams"} at once` : "Any number of streams at once",
    ...limitList(e, libraryNames),
  ].filter(Boolean);
}

const grantsUl = (e, testid, libraryNames = null) =>
  h("ul", { class: "plan-grants", "data-testid": testid }, grantList(e, libraryNames).map((g) => h("li", {}, g)));

const fmtDay = (iso) => {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleDateString(undefined, { dateStyle: "medium" });
};

const KIND_WORDS = { payment: "Payment", refund: "Refund", plan_change: "Plan change" };

// MARK: - Profile: your plan

/** The button's words for paying through a provider (a plugin's ID). */
const PROVIDER_NAMES = { stripe: "Stripe", manual: "an admin" };
const providerName = (id) => PROVIDER_NAMES[id] ?? id.charAt(0).toUpperCase() + id.slice(1);

/** Whether the listener pays through a card provider (not an admin's grant). */
const paysThrough = (mine) => Boolean(mine.provider) && mine.provider !== "manual";

/** What the listener left for (a checkout or the provider's own page), kept across the visit to the provider. */
const AWAY_KEY = "canto.payment-away";

function rememberAway(value) {
  try {
    sessionStorage.setItem(AWAY_KEY, JSON.stringify(value));
  } catch {
    // storage disabled: the return still works, with plainer words
  }
}

function takeAway() {
  try {
    const value = JSON.parse(sessionStorage.getItem(AWAY_KEY) ?? "null");
    sessionStorage.removeItem(AWAY_KEY);
    return value;
  } catch {
    return null;
  }
}

/** The plan's standing in words: "Paid through Stripe · Renews on 12 Jun 2026", "Payment failed — …". */
function statusWords(mine) {
  const words = [];
  if (paysThrough(mine)) words.push(`Paid through ${providerName(mine.provider)}`);
  const end = mine.periodEnd ? fmtDay(mine.periodEnd) : null;
  switch (mine.status) {
    case "trialing":
      words.push(end ? `Free trial until ${end}${paysThrough(mine) ? ", then renews" : ""}` : "Free trial");
      break;
    case "past_due":
      words.push(mine.graceUntil ? `Payment failed — access until ${fmtDay(mine.graceUntil)}` : "Payment failed");
      if (paysThrough(mine)) words.push("update your card in Manage payment");
      break;
    case "canceled":
      words.push(end ? `Canceled: ends on ${end}` : "Canceled");
      break;
    case "active":
      if (end) words.push(paysThrough(mine) ? `Renews on ${end}` : `Ends on ${end}`);
      else if (mine.provider === "manual") words.push("Given by an admin");
      break;
    default:
      break;
  }
  return words.join(" · ");
}

/** The providers a plan can be bought through: a card provider sells plans renewed every month or year. */
const providersFor = (plan, providers) =>
  plan.priceMinor > 0 ? providers.filter((id) => id === "manual" || ["month", "year"].includes(plan.interval)) : [];

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
});

/**
 * "Your plan": the plan, its standing and grants; the other plans with a button per payment provider
 * (or the word to ask an admin); Manage payment for a plan paid through a provider; the payments.
 * Back from a provider (`#/profile?plan=back&…`) it says how the payment went, once.
 */
export async function myPlanSection(signal, query = null) {
  const notice = h("div", { class: "notice plan-return-notice", role: "status", "data-testid": "plan-return-notice", hidden: true });
  const body = h("div", { class: "plan-body" });
  const section = h("section", { class: "panel", id: "your-plan", "aria-labelledby": "plan-head", "data-testid": "my-plan" },
    h("h2", { id: "plan-head", tabindex: "-1" }, "Your plan"), notice, body);
  let shown = null; // the /me/plan answer on screen

  const say = (...parts) => {
    fill(notice, ...parts);
    notice.hidden = false;
  };

  const render = async () => {
    const [mine, page, ledger] = await Promise.all([
      api("/me/plan", { signal }),
      api("/plans", { signal }),
      api("/me/ledger", { signal }).then((answer) => listOf(answer)),
    ]);
    const plans = listOf(page);
    const providers = page?.providers ?? [];
    const manual = providers.includes("manual")
      ? await api("/plugins/manual/instructions", { signal }).catch(() => null)
      : null;
    // A plan that opens some libraries: the listener's catalog is those (of theirs), by name.
    const libraryNames = Array.isArray(mine.entitlements?.libraries)
      ? await api("/folders", { signal }).then((answer) => listOf(answer).map((folder) => folder.name)).catch(() => null)
      : null;
    shown = mine;
    fill(body, planBody({ mine, plans, providers, ledger, manual, libraryNames, signal }));
  };

  /** Asks /me/plan every half second until `arrived` says so or `seconds` pass; the last answer. */
  const poll = async (arrived, seconds) => {
    const deadline = Date.now() + seconds * 1000;
    let mine = null;
    while (!signal.aborted) {
      mine = await api("/me/plan", { signal });
      if (arrived(mine) || Date.now() >= deadline) break;
      await sleep(500, signal);
    }
    return mine;
  };

  /** Back from Stripe's checkout: reads the session server to server, then waits for the plan to change. */
  const confirmCheckout = async (sessionId, away) => {
    say("Confirming your payment with Stripe…");
    try {
      await api("/plugins/stripe/return", { method: "POST", body: { sessionId }, signal });
    } catch (error) {
      if (error?.name === "AbortError") return;
      console.warn("stripe return", error); // Stripe's webhook still brings the payment
    }
    const arrived = (mine) => away?.planId
      ? mine.plan.id === away.planId && mine.status !== "canceled"
      : paysThrough(mine) && mine.plan.priceMinor > 0;
    const check = async () => {
      const mine = await poll(arrived, 15);
      if (signal.aborted || !mine) return;
      if (arrived(mine)) {
        say(h("strong", {}, `Payment received: you are on ${mine.plan.name}.`), " ", statusWords(mine) ? `${statusWords(mine)}.` : "");
        planChanged();
        await render();
        return;
      }
      const again = h("button", { type: "button", class: "link-button", "data-testid": "plan-check-again", onclick: () => {
        say("Checking again…");
        check().catch((error) => announceError(error, "Checking the payment"));
      } }, "Check again");
      say(`Waiting for the payment to be confirmed… ${away?.planName ? `You move to ${away.planName}` : "Your plan changes"} as soon as Stripe confirms it; this can take a minute. `, again);
    };
    await check();
  };

  /** Back from a manual "upgrade": the admin was asked. */
  const manualRequested = async (away) => {
    const asked = away?.planName ? `An admin has been asked to give you ${away.planName}.` : "An admin has been asked to give you the plan.";
    const info = await api("/plugins/manual/instructions", { signal }).catch(() => null);
    say(h("strong", {}, asked), info?.instructions ? [" ", info.instructions] : "");
  };

  /** Back without a payment: the checkout was left, or the listener comes from the provider's own page. */
  const backWithout = async (away) => {
    if (away?.kind === "checkout") {
      say(`Checkout canceled: nothing was charged, and your plan has not changed.`);
      return;
    }
    // From the provider's page (a cancellation, a new card): its word arrives by webhook, shortly.
    const before = shown;
    const key = (mine) => [mine.plan.id, mine.status, mine.periodEnd, mine.graceUntil].join("|");
    const mine = await poll((now) => !before || key(now) !== key(before), 5);
    if (signal.aborted || !mine || !before || key(mine) === key(before)) return;
    planChanged();
    await render();
  };

  await render();
  if (query?.get("plan") === "back") {
    const sessionId = query.get("session_id");
    const requested = query.get("manual") === "requested";
    const away = takeAway();
    // Said once: the address goes back to the plain profile (a reload does not repeat this).
    setQuery({ plan: null, session_id: null, manual: null });
    requestAnimationFrame(() => section.scrollIntoView({ block: "start" }));
    const handle = sessionId ? confirmCheckout(sessionId, away) : requested ? manualRequested(away) : backWithout(away);
    handle.catch((error) => {
      if (error?.name !== "AbortError") announceError(error, "Reading your plan");
    });
  }
  return section;
}

/** The inside of "Your plan" (rendered again when the plan changes). */
function planBody({ mine, plans, providers, ledger, manual, libraryNames, signal }) {
  const plan = mine.plan;
  const planName = (id) => plans.find((p) => p.id === id)?.name ?? id ?? "—";
  const words = statusWords(mine);
  const ongoing = paysThrough(mine) && mine.status !== "canceled";
  const admin = session.isAdmin;

  const goTo = async (button, path, body, away, what) => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    rememberAway(away);
    try {
      const { url } = await api(path, { method: "POST", body, signal });
      location.href = url;
    } catch (error) {
      takeAway();
      announceError(error, error?.code === "no_subscription" ? "Manage payment" : what);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  };

  const upgradeButton = (other, provider) => {
    const verb = other.priceMinor > (plan.priceMinor ?? 0) ? "Upgrade" : "Switch";
    const label = provider === "manual" ? "Request from an admin" : `${verb} with ${providerName(provider)}`;
    const button = h("button", {
      type: "button", class: provider === "manual" ? null : "primary", "data-testid": "plan-upgrade",
      "data-plan-id": other.id, "data-provider": provider,
      "aria-label": `${label}: ${other.name}`,
      onclick: () => goTo(button, "/me/plan/checkout", { planId: other.id, provider },
        { kind: "checkout", planId: other.id, planName: other.name, provider }, "Starting the payment"),
    }, label);
    return button;
  };

  const others = plans.filter((p) => p.id !== plan.id);
  const canBuy = !admin && !ongoing && providers.length > 0;
  const offers = (other) => (canBuy ? providersFor(other, providers) : []);
  const anyOffer = others.some((other) => offers(other).length > 0);
  let hint = null;
  if (admin) {
    hint = h("p", { class: "hint", "data-testid": "plan-admin-hint" }, "As an admin you are never limited, whatever your plan.");
  } else if (ongoing && others.length) {
    hint = h("p", { class: "hint", "data-testid": "plan-change-hint" },
      `To change plans, cancel in Manage payment; choose another plan once ${plan.name} ends.`);
  } else if (!providers.length) {
    hint = h("p", { class: "notice", "data-testid": "plan-ask-admin" }, "Ask an admin to change your plan.");
  } else if (mine.provider === "manual") {
    hint = h("p", { class: "notice", "data-testid": "plan-ask-admin" }, "Ask an admin to change or end the plan they gave you.");
  } else if (!anyOffer && others.length) {
    hint = h("p", { class: "notice", "data-testid": "plan-ask-admin" }, "Ask an admin to change your plan.");
  }

  const requested = manual?.requested ? planName(manual.requested) : null;
  const manage = paysThrough(mine)
    ? h("button", { type: "button", "data-testid": "plan-manage",
        onclick: (event) => goTo(event.currentTarget, "/me/plan/portal", { provider: mine.provider },
          { kind: "portal", provider: mine.provider }, "Opening the payment page") },
        "Manage payment")
    : null;

  return [
    h("div", { class: "plan-card current" },
      h("h3", { "data-testid": "my-plan-name" }, plan.name),
      h("p", { class: "plan-price", "data-testid": "my-plan-price" }, priceText(plan)),
      words ? h("p", { class: mine.status === "past_due" ? "meta plan-status warn" : "meta plan-status", "data-testid": "my-plan-dates", "data-status": mine.status ?? "none" }, words) : null,
      h("p", { class: "meta" }, "What you can do now:"),
      grantsUl(mine.entitlements ?? plan.entitlements, "my-plan-grants", libraryNames),
      manage ? h("div", { class: "actions" }, manage,
        h("span", { class: "hint" }, `Change your card, see invoices or cancel at ${providerName(mine.provider)}.`)) : null),
    requested && requested !== plan.name
      ? h("p", { class: "notice", "data-testid": "plan-manual-request" },
          h("strong", {}, `You asked an admin for ${requested}.`), " ", manual.instructions ?? "")
      : null,
    others.length ? [
      h("h3", {}, "Other plans"),
      h("ul", { class: "plan-cards", "data-testid": "other-plans" }, others.map((other) => {
        const ways = offers(other);
        return h("li", { class: "plan-card", "data-testid": "other-plan", "data-plan-id": other.id },
          h("h4", {}, other.name),
          h("p", { class: "plan-price" }, priceText(other)),
          grantsUl(other.entitlements),
          ways.length ? h("div", { class: "actions plan-buy" }, ways.map((provider) => upgradeButton(other, provider))) : null);
      })),
    ] : null,
    hint,
    h("div", { class: "section-head" }, h("h3", { id: "payments-head" }, "Your payments"),
      h("div", { class: "export-links" }, h("a", { href: "/api/v1/me/ledger?format=csv", download: "ledger.csv", class: "export", "data-testid": "my-ledger-csv", "aria-label": "Your payments as CSV" }, "CSV"))),
    ledger.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "table", "aria-labelledby": "payments-head", "data-testid": "my-ledger" },
          h("thead", {}, h("tr", {}, ["Date", "What", "Plan", "Amount", "Note"].map((label, i) => h("th", { scope: "col", class: i >= 4 ? "wide-only" : null }, label)))),
          h("tbody", {}, ledger.map((line) => h("tr", { "data-testid": "my-ledger-row" },
            h("td", {}, fmtDay(line.at)),
            h("td", {}, KIND_WORDS[line.kind] ?? line.kind),
            h("td", {}, planName(line.planId)),
            h("td", { class: "num" }, line.amountMinor ? fmtAmount(line.amountMinor, line.currency) : "—"),
            h("td", { class: "wide-only" }, line.note ?? "—"))))))
      : h("p", { class: "empty", "data-testid": "my-ledger-empty" }, "No payments yet."),
  ];
}

// MARK: - Admin: plans, giving a plan, the ledger

export async function adminPlansSection(signal) {
  const section = h("section", { class: "panel", id: "admin-plans", "aria-labelledby": "plans-head", "data-testid": "admin-plans" });
  const tableBody = h("tbody", { "data-testid": "plans-rows" });
  const planPick = h("select", { id: "give-plan", required: true, "data-testid": "give-plan" });
  const userPick = h("select", { id: "give-user", required: true, "data-testid": "give-user" });
  const ledgerBox = h("div", { "data-testid": "admin-ledger-box" });
  let plans = [];
  let users = [];
  let libraries = []; // the server's, for the plans' library lists

  // The add/edit form.
  const form = planForm(async () => {
    await load();
  });

  /** The names of a plan's libraries ("removed library" for one no longer on the server). */
  const libraryNames = (ids) => ids?.map((id) => libraries.find((library) => library.id === id)?.name ?? `removed library ${id}`) ?? null;

  const loadPlans = async () => {
    const [page, known] = await Promise.all([
      api("/plans", { signal }),
      api("/admin/libraries", { signal }).then((answer) => listOf(answer)),
    ]);
    plans = listOf(page);
    libraries = known;
    form.setLibraries(libraries);
    tableBody.replaceChildren(...plans.map((plan) => {
      const e = plan.entitlements ?? {};
      return h("tr", { "data-testid": "plan-row", "data-plan-id": plan.id },
        h("td", {}, h("strong", {}, plan.name), " ", h("code", { class: "meta" }, plan.id)),
        h("td", { "data-testid": "plan-price" }, priceText(plan)),
        h("td", {}, e.maxBitrate != null ? `${e.maxBitrate} kbit/s` : e.originalFiles ? "original" : "transcoded"),
        h("td", { "data-testid": "plan-downloads" }, e.downloads ? "yes" : "no"),
        h("td", { "data-testid": "plan-shares" }, e.shares ? "yes" : "no"),
        h("td", {}, e.concurrentStreams ?? "any"),
        h("td", { class: "plan-limits", "data-testid": "plan-limits" },
          limitList(e, libraryNames(e.libraries)).map((line) => h("span", {}, line))),
        h("td", { class: "row-actions" },
          h("button", { type: "button", "data-testid": "plan-edit", "aria-label": `Edit plan ${plan.name}`, onclick: () => form.edit(plan) }, "Edit"),
          plan.id === "free" ? null : h("button", { type: "button", class: "danger", "data-testid": "plan-delete", "aria-label": `Delete plan ${plan.name}`, onclick: async () => {
            if (!(await confirmDialog(`Delete the plan “${plan.name}”?`, { confirmLabel: "Delete", danger: true }))) return;
            try {
              await api(`/admin/plans/${enc(plan.id)}`, { method: "DELETE" });
              announce(`Deleted ${plan.name}.`);
              load();
            } catch (error) {
              announceError(error, error.status === 409 ? "Someone holds that plan; give them another first" : "Deleting the plan");
            }
          } }, "Delete")));
    }));
    const chosen = planPick.value;
    planPick.replaceChildren(...plans.map((plan) => h("option", { value: plan.id, selected: plan.id === chosen }, `${plan.name} (${priceText(plan)})`)));
  };

  const loadUsers = async () => {
    users = listOf(await api("/admin/users", { signal }));
    const chosen = userPick.value;
    userPick.replaceChildren(h("option", { value: "" }, "Choose a listener…"),
      ...users.map((user) => h("option", { value: user.id, selected: user.id === chosen },
        `${user.username}${user.role === "admin" ? " (admin: never limited)" : ""}`)));
  };

  const loadLedger = async () => {
    const ledger = await api("/admin/ledger", { signal });
    const items = listOf(ledger);
    const months = listOf(ledger, "months");
    const who = (id) => users.find((u) => u.id === id)?.username ?? id;
    const planName = (id) => plans.find((p) => p.id === id)?.name ?? id ?? "—";
    fill(ledgerBox,
      h("h4", { id: "ledger-months-head" }, "Totals by month"),
      months.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "table", "aria-labelledby": "ledger-months-head", "data-testid": "ledger-months" },
            h("thead", {}, h("tr", {}, ["Month", "Received", "Entries"].map((label) => h("th", { scope: "col" }, label)))),
            h("tbody", {}, months.map((m) => h("tr", { "data-testid": "ledger-month", "data-month": m.month },
              h("td", {}, m.month),
              h("td", { class: "num", "data-testid": "ledger-month-total" }, fmtAmount(m.amountMinor, m.currency)),
              h("td", { class: "num" }, m.entries))))))
        : h("p", { class: "empty" }, "Nothing yet."),
      h("h4", { id: "ledger-lines-head" }, "Entries"),
      items.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "table", "aria-labelledby": "ledger-lines-head", "data-testid": "admin-ledger" },
            h("thead", {}, h("tr", {}, ["Date", "Listener", "What", "Plan", "Amount", "Via", "Note"].map((label, i) =>
              h("th", { scope: "col", class: i === 5 ? "wide-only" : null }, label)))),
            h("tbody", {}, items.map((line) => h("tr", { "data-testid": "ledger-row" },
              h("td", {}, fmtDay(line.at)),
              h("td", {}, who(line.userId)),
              h("td", {}, KIND_WORDS[line.kind] ?? line.kind),
              h("td", {}, planName(line.planId)),
              h("td", { class: "num", "data-testid": "ledger-amount" }, line.amountMinor ? fmtAmount(line.amountMinor, line.currency) : "—"),
              h("td", { class: "wide-only" }, line.provider),
              h("td", { "data-testid": "ledger-note" }, line.note ?? "—"))))))
        : h("p", { class: "empty" }, "No entries yet."));
  };

  const load = async () => {
    try {
      await Promise.all([loadPlans(), loadUsers()]);
      await loadLedger();
    } catch (error) {
      if (error?.name !== "AbortError") announceError(error, "Loading the plans");
    }
  };

  // Give a plan by hand.
  const until = h("input", { id: "give-until", type: "date", "data-testid": "give-until", "aria-describedby": "give-until-hint" });
  const note = h("input", { id: "give-note", maxlength: 500, autocomplete: "off", placeholder: "cash, gift…", "data-testid": "give-note" });
  const amount = h("input", { id: "give-amount", type: "number", min: 0, step: "0.01", inputmode: "decimal", placeholder: "0.00", "data-testid": "give-amount" });
  const currency = h("input", { id: "give-currency", value: "EUR", maxlength: 3, pattern: "[A-Za-z]{3}", autocomplete: "off", "data-testid": "give-currency", class: "short" });
  const give = h("form", { class: "grid-form", "data-testid": "give-plan-form" },
    h("div", { class: "field" }, h("label", { for: "give-user" }, "Listener"), userPick),
    h("div", { class: "field" }, h("label", { for: "give-plan" }, "Plan"), planPick),
    h("div", { class: "field" }, h("label", { for: "give-until" }, "Until (optional)"), until,
      h("span", { class: "hint", id: "give-until-hint" }, "Empty: until you change it.")),
    h("div", { class: "field" }, h("label", { for: "give-note" }, "Note"), note),
    h("div", { class: "field" }, h("label", { for: "give-amount" }, "Amount received"), amount),
    h("div", { class: "field" }, h("label", { for: "give-currency" }, "Currency"), currency),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "give-submit" }, "Give plan")));
  give.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!userPick.value) {
      announce("Choose a listener first.", { error: true });
      userPick.focus();
      return;
    }
    const user = users.find((u) => u.id === userPick.value);
    const plan = plans.find((p) => p.id === planPick.value);
    const minor = amount.value === "" ? null : Math.round(Number(amount.value) * 100);
    try {
      await api(`/admin/users/${enc(userPick.value)}/plan`, { method: "PUT", body: {
        planId: planPick.value,
        // The end of the chosen day, in the admin's time zone.
        until: until.value ? new Date(`${until.value}T23:59:59`).toISOString() : null,
        note: note.value.trim() || null,
        amountMinor: minor,
        currency: minor != null ? currency.value.trim().toUpperCase() || "EUR" : null,
      } });
      announce(`${user?.username ?? "The listener"} now has ${plan?.name ?? planPick.value}.`);
      until.value = "";
      note.value = "";
      amount.value = "";
      loadLedger().catch((error) => announceError(error, "Loading the ledger"));
    } catch (error) {
      announceError(error, "Giving the plan");
    }
  });

  await load();
  window.addEventListener("canto:users-changed", () => loadUsers().catch(() => {}), { signal });
  return fill(section,
    h("h2", { id: "plans-head" }, "Plans"),
    h("p", { class: "hint" }, "What each plan costs and grants. Everyone without another plan has Free; admins are never limited."),
    h("div", { class: "table-wrap" }, h("table", { class: "table", "data-testid": "plans-table" },
      h("thead", {}, h("tr", {}, ["Plan", "Price", "Quality", "Downloads", "Share links", "Streams at once", "Limits"].map((label) => h("th", { scope: "col" }, label)),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      tableBody)),
    form.el,
    h("h3", {}, "Give a plan"),
    h("p", { class: "hint" }, "For a listener who pays you another way (cash from a family member). Choose Free to take a plan back."),
    give,
    h("div", { class: "section-head" }, h("h3", {}, "Ledger"),
      h("div", { class: "export-links" }, h("a", { href: "/api/v1/admin/ledger?format=csv", download: "ledger.csv", class: "export", "data-testid": "admin-ledger-csv", "aria-label": "The ledger as CSV" }, "CSV"))),
    ledgerBox);
}

/** The units the uploads' room is entered in, in KiB (the server counts KiB). */
const STORAGE_UNITS = { KB: 1, MB: 1024, GB: 1024 * 1024 };

/** The largest unit that shows `kb` whole ("MB" for none, as the form starts). */
const storageUnitFor = (kb) => {
  if (!kb) return "MB";
  return kb % STORAGE_UNITS.GB === 0 ? "GB" : kb % STORAGE_UNITS.MB === 0 ? "MB" : "KB";
};

/** The form that adds a plan or edits one (the ID only when adding). */
function planForm(onSaved) {
  let editing = null;
  const heading = h("h3", { id: "plan-form-head" }, "Add a plan");
  const id = h("input", { id: "plan-id", required: true, maxlength: 40, pattern: "[A-Za-z0-9\\-]+", autocomplete: "off", spellcheck: "false", "aria-describedby": "plan-id-hint", "data-testid": "plan-id" });
  const idHint = h("span", { class: "hint", id: "plan-id-hint" }, "Letters, digits and dashes; cannot change later.");
  const name = h("input", { id: "plan-name", required: true, maxlength: 80, autocomplete: "off", "data-testid": "plan-name" });
  const price = h("input", { id: "plan-price", type: "number", min: 0, step: "0.01", value: "0", inputmode: "decimal", required: true, "data-testid": "plan-price-input" });
  const currency = h("input", { id: "plan-currency", value: "EUR", maxlength: 3, pattern: "[A-Za-z]{3}", required: true, autocomplete: "off", "data-testid": "plan-currency" });
  const interval = h("select", { id: "plan-interval", "data-testid": "plan-interval" },
    h("option", { value: "month" }, "Every month"), h("option", { value: "year" }, "Every year"), h("option", { value: "none" }, "Not renewed"));
  const trial = h("input", { id: "plan-trial", type: "number", min: 0, max: 365, step: 1, value: "0", "data-testid": "plan-trial" });
  const bitrate = h("input", { id: "plan-bitrate", type: "number", min: 32, max: 10000, step: 1, placeholder: "No cap", "aria-describedby": "plan-bitrate-hint", "data-testid": "plan-bitrate" });
  const streams = h("input", { id: "plan-streams", type: "number", min: 1, max: 100, step: 1, placeholder: "Any", "aria-describedby": "plan-streams-hint", "data-testid": "plan-streams" });
  const original = h("input", { type: "checkbox", checked: true, "data-testid": "plan-original" });
  const downloads = h("input", { type: "checkbox", checked: true, "data-testid": "plan-downloads-check" });
  const shares = h("input", { type: "checkbox", checked: true, "data-testid": "plan-shares-check" });
  const apiKeys = h("input", { id: "plan-apikeys", type: "number", min: 0, max: 1000, step: 1, placeholder: "Any", "aria-describedby": "plan-apikeys-hint", "data-testid": "plan-apikeys" });
  const storage = h("input", { id: "plan-storage", type: "number", min: 0, step: "any", placeholder: "No limit", "aria-describedby": "plan-storage-hint", "data-testid": "plan-storage" });
  const storageUnit = h("select", { id: "plan-storage-unit", "aria-label": "Unit of the uploads' room", "data-testid": "plan-storage-unit" },
    Object.keys(STORAGE_UNITS).map((unit) => h("option", { value: unit, selected: unit === "MB" }, unit)));
  const libraryBoxes = h("div", { class: "plan-library-boxes" });
  let libraries = []; // the server's
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "plan-save" }, "Add plan");
  const cancel = h("button", { type: "button", hidden: true, "data-testid": "plan-cancel", onclick: () => reset() }, "Cancel");
  const idField = h("div", { class: "field" }, h("label", { for: "plan-id" }, "ID"), id, idHint);

  const form = h("form", { class: "grid-form plan-form", "aria-labelledby": "plan-form-head", "data-testid": "plan-form" },
    idField,
    h("div", { class: "field" }, h("label", { for: "plan-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "plan-price" }, "Price"), price),
    h("div", { class: "field" }, h("label", { for: "plan-currency" }, "Currency"), currency),
    h("div", { class: "field" }, h("label", { for: "plan-interval" }, "Renews"), interval),
    h("div", { class: "field" }, h("label", { for: "plan-trial" }, "Free trial (days)"), trial),
    h("div", { class: "field" }, h("label", { for: "plan-bitrate" }, "Bitrate cap (kbit/s)"), bitrate,
      h("span", { class: "hint", id: "plan-bitrate-hint" }, "Empty: no cap.")),
    h("div", { class: "field" }, h("label", { for: "plan-streams" }, "Streams at once"), streams,
      h("span", { class: "hint", id: "plan-streams-hint" }, "Empty: any number.")),
    h("div", { class: "field" }, h("label", { for: "plan-apikeys" }, "API keys per listener"), apiKeys,
      h("span", { class: "hint", id: "plan-apikeys-hint" }, "One per app or device. Empty: any number.")),
    h("div", { class: "field" }, h("label", { for: "plan-storage" }, "Uploads kept"),
      h("div", { class: "row plan-storage" }, storage, storageUnit),
      h("span", { class: "hint", id: "plan-storage-hint" }, "Avatar and imported playlists. Empty: no limit.")),
    h("fieldset", { class: "plan-rights" }, h("legend", {}, "Grants"),
      h("label", { class: "check" }, original, "Original files"),
      h("label", { class: "check" }, downloads, "Downloads"),
      h("label", { class: "check" }, shares, "Share links")),
    h("fieldset", { class: "plan-libraries", "data-testid": "plan-libraries", "aria-describedby": "plan-libraries-hint" },
      h("legend", {}, "Libraries"),
      libraryBoxes,
      h("span", { class: "hint", id: "plan-libraries-hint" }, "None checked: all the listener's libraries.")),
    h("div", { class: "actions" }, submit, cancel));

  /** The checked library IDs. */
  const chosenLibraries = () => [...libraryBoxes.querySelectorAll("input[type=checkbox]")]
    .filter((box) => box.checked).map((box) => box.dataset.libraryId);

  /** A checkbox per library (and per ID of `checked` no longer on the server, to uncheck), `checked` checked. */
  const showLibraries = (checked) => {
    const known = new Set(libraries.map((library) => library.id));
    const gone = checked.filter((libraryId) => !known.has(libraryId));
    const entries = [
      ...libraries.map((library) => ({ id: library.id, label: library.name })),
      ...gone.map((libraryId) => ({ id: libraryId, label: `Removed library (${libraryId})` })),
    ];
    fill(libraryBoxes, entries.length
      ? entries.map((entry) => h("label", { class: "check" },
          h("input", { type: "checkbox", checked: checked.includes(entry.id), "data-library-id": entry.id, "data-testid": "plan-library" }),
          entry.label))
      : h("span", { class: "hint" }, "No libraries yet."));
  };

  const reset = () => {
    editing = null;
    // (form.reset() would go back to the attributes, which h() leaves unset.)
    for (const input of [id, name, bitrate, streams, apiKeys, storage]) input.value = "";
    storageUnit.value = "MB";
    showLibraries([]);
    price.value = "0";
    currency.value = "EUR";
    interval.value = "month";
    trial.value = "0";
    original.checked = downloads.checked = shares.checked = true;
    heading.textContent = "Add a plan";
    submit.textContent = "Add plan";
    idField.hidden = false;
    id.disabled = false;
    cancel.hidden = true;
  };
  const edit = (plan) => {
    editing = plan;
    const e = plan.entitlements ?? {};
    heading.textContent = `Edit ${plan.name}`;
    submit.textContent = "Save plan";
    id.value = plan.id;
    idField.hidden = true;
    id.disabled = true;
    name.value = plan.name;
    price.value = (plan.priceMinor / 100).toFixed(2);
    currency.value = plan.currency;
    interval.value = plan.interval;
    trial.value = String(plan.trialDays ?? 0);
    bitrate.value = e.maxBitrate ?? "";
    streams.value = e.concurrentStreams ?? "";
    original.checked = Boolean(e.originalFiles);
    downloads.checked = Boolean(e.downloads);
    shares.checked = Boolean(e.shares);
    apiKeys.value = e.apiKeys ?? "";
    const unit = storageUnitFor(e.storageKB);
    storageUnit.value = unit;
    storage.value = e.storageKB == null ? "" : String(e.storageKB / STORAGE_UNITS[unit]);
    showLibraries(e.libraries ?? []);
    cancel.hidden = false;
    heading.scrollIntoView({ block: "nearest" });
    name.focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const planId = editing ? editing.id : id.value.trim();
    const chosen = chosenLibraries();
    const body = {
      name: name.value.trim(),
      priceMinor: Math.round(Number(price.value || 0) * 100),
      currency: currency.value.trim().toUpperCase(),
      interval: interval.value,
      trialDays: Number(trial.value || 0),
      entitlements: {
        maxBitrate: bitrate.value === "" ? null : Number(bitrate.value),
        originalFiles: original.checked,
        downloads: downloads.checked,
        shares: shares.checked,
        concurrentStreams: streams.value === "" ? null : Number(streams.value),
        apiKeys: apiKeys.value === "" ? null : Number(apiKeys.value),
        storageKB: storage.value === "" ? null : Math.round(Number(storage.value) * STORAGE_UNITS[storageUnit.value]),
        libraries: chosen.length ? chosen : null,
      },
    };
    try {
      const saved = await api(`/admin/plans/${enc(planId)}`, { method: "PUT", body });
      announce(editing ? `Saved ${saved?.name ?? body.name}.` : `Added ${saved?.name ?? body.name}.`);
      reset();
      await onSaved();
    } catch (error) {
      announceError(error, "Saving the plan");
    }
  });
  /** The server's libraries (again, after a change): the boxes keep what is checked. */
  const setLibraries = (list) => {
    const checked = chosenLibraries();
    libraries = list;
    showLibraries(checked);
  };
  showLibraries([]);
  return { el: h("div", { class: "plan-editor" }, heading, form), edit, setLibraries };
}
