// The controller: opens from the IndexedDB cache first (offline cold start), then checks the server,
// wires screens to the event bus, routes between Log and My log, and keeps sync going.

import { $, h } from "./dom.js";
import { on } from "./events.js";
import { captureScreen } from "./screens/capture.js";
import { logScreen } from "./screens/log.js";
import * as session from "./session.js";
import * as sync from "./sync.js";
import { register, takeUpdateIfSafe } from "./sw-register.js";
import { accountPanel } from "./ui/account.js";
import { renderHeader } from "./ui/header.js";
import { signInForm } from "./ui/signin.js";
import { syncStatus } from "./ui/sync-status.js";

const TICK_MS = 30000;
const ROUTES = { "/": "capture", "/walk": "capture", "/log": "log" };
const syncNow = () => sync.drain("manual");
const account = accountPanel({ syncNow });
const capture = captureScreen($("#screen-capture"), { afterSave, showLog: () => go("/log") });
const log = logScreen($("#screen-log"), { edit: (o) => { go("/"); capture.edit(o); }, account: account.element });
let started = false;

function show(screen) {
  $("#app").dataset.screen = screen;
  for (const name of ["loading", "signin", "capture", "log"]) $(`#screen-${name}`).hidden = name !== screen;
  $("#tabs").hidden = !["capture", "log"].includes(screen);
  for (const tab of document.querySelectorAll(".tabs__tab")) {
    if (tab.dataset.screen === screen) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

function go(path) {
  if (window.location.pathname !== path) history.pushState(null, "", path);
  route();
}

function route() {
  if (!session.state.bootstrap) return;
  if (!session.canLog()) {
    $("#screen-capture").replaceChildren(h("p", { class: "notice" }, "You can view this school's reports, but not log conversations here."));
  }
  show(ROUTES[window.location.pathname] || "capture");
}

function afterSave() {
  sync.afterSave();
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
  await renderLog();
}

/** My log, and its tab's badge: how many logs the server could not accept. */
async function renderLog() {
  const attention = (await log.render()) || 0;
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
    sync.start();
    setInterval(() => { capture.tick(); takeUpdateIfSafe(); }, TICK_MS);
  } else {
    sync.drain("signed-in");
  }
}

async function main() {
  const render = syncStatus({ syncNow, onSignedIn: () => openApp() });
  on("sync-status", render);
  on("records-changed", () => renderLog());
  on("session-changed", () => renderAll());
  on("drain-finished", () => takeUpdateIfSafe());
  document.addEventListener("click", (event) => {
    const tab = event.target.closest(".tabs__tab");
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
