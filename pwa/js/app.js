// The controller: opens from the IndexedDB cache first (offline cold start), then checks the server,
// wires screens to the event bus, routes between Log, My log and Follow-ups, and keeps sync going.
// Capture paints first; the other screens and the first sync wait until the page is idle. Practice is
// not in the precached shell (server/pwa.py ON_DEMAND): it is imported when first opened, and warmed
// while idle and online so that the service worker has cached it before the leader loses signal.

import { getAll } from "./db.js";
import { $, h } from "./dom.js";
import { on } from "./events.js";
import { refreshOwners } from "./owners.js";
import { captureScreen } from "./screens/capture.js";
import { followUpsScreen } from "./screens/followups.js";
import { logScreen } from "./screens/log.js";
import * as session from "./session.js";
import * as sync from "./sync.js";
import { register, takeUpdateIfSafe } from "./sw-register.js";
import { accountPanel } from "./ui/account.js";
import { renderHeader } from "./ui/header.js";
import { signInForm } from "./ui/signin.js";
import { syncStatus } from "./ui/sync-status.js";

const TICK_MS = 30000;
const ROUTES = { "/": "capture", "/walk": "capture", "/log": "log", "/follow-ups": "followups", "/practice": "practice",
  "/colisten": "colisten" };
const SCREENS = ["loading", "signin", "capture", "log", "followups", "viewer", "practice", "colisten"];
const TABBED = ["capture", "log", "followups", "practice", "viewer", "colisten"];
const LOGGING_TABS = ["capture", "log", "followups"];
const syncNow = () => sync.drain("manual");
const account = accountPanel({ syncNow });
const capture = captureScreen($("#screen-capture"), { afterSave, showLog: () => go("/log"), showColisten: () => go("/colisten") });
const log = logScreen($("#screen-log"), { edit: (o) => { go("/"); capture.edit(o); }, account: account.element, afterSave });
const reminders = remindersSlot();
const followUps = followUpsScreen($("#screen-followups"), { afterSave, pushPanel: reminders.element });
const PRACTICE_OFFLINE = "Practice needs a connection the first time — open it once while online.";
let practice = null;  // the Practice screen, once its modules have been imported
let together = null;  // the Listen together screen (co-listening), likewise on demand
let started = false;

function show(screen) {
  $("#app").dataset.screen = screen;
  for (const name of SCREENS) $(`#screen-${name}`).hidden = name !== screen;
  $("#tabs").hidden = !TABBED.includes(screen);
  for (const tab of document.querySelectorAll(".tabs__tab")) {
    tab.hidden = LOGGING_TABS.includes(tab.dataset.screen) && !session.canLog();
    if (tab.dataset.screen === screen) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

function go(path) {
  if (`${window.location.pathname}${window.location.search}` !== path) history.pushState(null, "", path);
  route();
}

/** Viewers cannot log: a friendly page pointing at the school's dashboard instead of the capture screen. */
function showViewer() {
  const school = session.school();
  $("#screen-viewer").replaceChildren(
    h("h2", { class: "screen__title", id: "viewer-title" }, school ? school.name : "Hallway Pulse"),
    h("p", { class: "screen__lead" }, "Your account can see this school's reports, but logging conversations is for its leaders and observers."),
    school ? h("a", { class: "button button--primary", href: `/schools/${school.id}/dashboard` }, "Open the dashboard") : null,
    h("p", { class: "screen__lead" }, "You can also practise hearing the traits on short written conversations, under Practice."),
    account.element);
  show("viewer");
}

function route() {
  if (!session.state.bootstrap) return;
  const screen = ROUTES[window.location.pathname] || "capture";
  if (screen === "practice") { show(screen); showPractice(); return; }
  if (!session.canLog()) { showViewer(); return; }
  if (screen !== "colisten") together?.hide();
  show(screen);
  if (screen === "colisten") showTogether();
  if (screen === "capture") capture.showTogether();
  const id = new URLSearchParams(window.location.search).get("id");
  if (screen === "followups") (id ? followUps.open(id) : followUps.render());
  if (screen === "log") renderLog();
}

const importPractice = () => import("./screens/practice.js");

/** Import the Practice screen on first use; never cached and offline, say so in its tab instead. */
async function showPractice() {
  const root = $("#screen-practice");
  if (!practice) {
    let module;
    try {
      module = await importPractice();
    } catch {
      if (!practice) {
        root.replaceChildren(h("h2", { class: "screen__title", id: "practice-title" }, "Practice"),
          h("p", { class: "screen__lead practice__offline", role: "status" }, PRACTICE_OFFLINE));
      }
      return;
    }
    practice ||= module.practiceScreen(root);
  }
  if (!root.hidden) await practice.show();
}

/** Listen together: imported on first use like Practice (the service worker's warm-up caches it for offline). */
async function showTogether() {
  const root = $("#screen-colisten");
  try {
    const module = await import("./screens/colisten.js");
    together ||= module.colistenScreen(root, { logNow: () => go("/") });
  } catch {
    root.replaceChildren(h("h2", { class: "screen__title", id: "colisten-title" }, "Listen together"),
      h("p", { class: "screen__lead", role: "status" }, "Listening together needs a connection the first time — open it once while online."));
    return;
  }
  if (!root.hidden) await together.refresh();
}

/** The reminders panel in Follow-ups, on demand (turning reminders on or off needs a connection anyway):
 * an empty slot until its modules are imported; cached, it renders offline too. */
function remindersSlot() {
  const element = h("div", { class: "push-slot" });
  let panel = null;
  async function render() {
    if (!panel) {
      try {
        panel = (await import("./ui/push-panel.js")).pushPanel();
      } catch {
        return;
      }
      element.replaceChildren(panel.element);
    }
    await panel.render();
  }
  return { element, render };
}

/** Online and idle: ask the active service worker to cache Practice's modules (ready waits for one). */
function warmPractice() {
  if (!navigator.onLine || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage({ type: "WARM" }));
}

/** A screen saved something (sync hears of it from the outbox itself): a waiting update may go in now. */
function afterSave() {
  takeUpdateIfSafe();
}

function showSignIn(text) {
  $("#screen-signin").replaceChildren(
    h("h2", { class: "screen__title", id: "signin-title" }, "Sign in to Hallway Pulse"),
    h("p", { class: "screen__lead" }, text),
    signInForm({ onSignedIn: () => openApp() }));
  show("signin");
}

async function renderAll() {
  renderHeader();
  account.render();
  await capture.render();
  afterFirstPaint(renderRest);
}

/** Run `work` once the browser has painted and is idle: nothing heavy before capture is usable. */
function afterFirstPaint(work) {
  requestAnimationFrame(() => setTimeout(() => (window.requestIdleCallback || setTimeout)(() => work(), { timeout: 2000 }), 0));
}

async function renderRest() {
  await renderLog();
  if (!$("#screen-followups").hidden) await followUps.render();
  await reminders.render();
}

/** My log (built only while it is shown: a long history is no weight on capture), and its tab's badge:
 * how many changes the server could not accept. */
async function renderLog() {
  const user = session.state.user;
  const attention = !$("#screen-log").hidden ? (await log.render()) || 0
    : user ? (await getAll("attention")).filter((a) => a.user_id === user.id && a.school_id === session.state.schoolId).length : 0;
  const badge = $("#log-badge");
  badge.textContent = String(attention);
  badge.hidden = attention === 0;
}

/** Show the app from the session's bootstrap and start syncing (once). */
async function openApp() {
  await renderAll();
  route();
  if (!started) {
    started = true;
    capture.tick();
    afterFirstPaint(() => {
      sync.start();
      refreshOwners();
      afterFirstPaint(warmPractice);
    });
    setInterval(() => { capture.tick(); takeUpdateIfSafe(); }, TICK_MS);
  } else {
    sync.drain("signed-in");
  }
}

async function main() {
  const render = syncStatus({ syncNow, onSignedIn: () => openApp() });
  on("sync-status", render);
  on("records-changed", () => { renderLog(); if (!$("#screen-followups").hidden) followUps.render(); });
  on("session-changed", () => renderAll());
  on("drain-finished", () => takeUpdateIfSafe());
  on("practice-changed", () => { if (practice && !$("#screen-practice").hidden) practice.render(); });
  on("colisten-changed", () => { if (together && !$("#screen-colisten").hidden) together.render(); capture.showTogether(); });
  on("records-changed", () => { if (together && !$("#screen-colisten").hidden) together.render(); });
  window.addEventListener("online", () => { if (!$("#screen-practice").hidden) showPractice(); });
  document.addEventListener("click", (event) => {
    const tab = event.target.closest(".tabs__tab, a[data-route]");
    if (tab) { event.preventDefault(); go(new URL(tab.href).pathname); }
  });
  window.addEventListener("popstate", route);
  register({ safe: () => !capture.halfDone() && !sync.status.draining, onSync: () => sync.drain("background-sync") })
    .catch(() => {});

  const cached = await session.restore();
  if (cached) await openApp();
  let signedIn = null;
  try {
    signedIn = await session.refresh();
  } catch {
    if (!cached) showSignIn("You are offline. Connect once to sign in; after that the app works without signal.");
    return;
  }
  if (signedIn) await openApp();
  else if (!cached) showSignIn("Sign in with your school account.");
}

main();
