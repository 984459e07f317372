// Always-visible sync state in plain words: offline, syncing, what waits, or sign in needed. It says
// "synced" only when nothing waits, with the time the phone last synced everything.

import { $, h, replace } from "../dom.js";
import { signInForm } from "./signin.js";

const DOTS = { offline: "dot--offline", syncing: "dot--busy", "up-to-date": "dot--ok", signin: "dot--alert",
  retrying: "dot--alert", pending: "dot--busy", starting: "dot--busy" };

/** "10:42 AM" today, "Dec 3, 10:42 AM" before. */
function when(iso) {
  const at = new Date(iso);
  const time = at.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  if (at.toDateString() === new Date().toDateString()) return time;
  return `${at.toLocaleDateString([], { month: "short", day: "numeric" })}, ${time}`;
}

/** What is waiting, as a leader counts it: logs (a walk's start or end only when nothing else waits). */
function waiting(status) {
  const n = status.pendingLogs ?? status.pending;
  if (n) return `${n} ${n === 1 ? "log" : "logs"}`;
  return status.pending ? "a walk" : "";
}

/** Changes the server did not take, waiting in My log: never "All synced" while one waits. */
function needing(status) {
  const n = status.attention || 0;
  return n ? `${n} ${n === 1 ? "change needs" : "changes need"} attention in My log` : "";
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function words(status) {
  const { state } = status;
  const what = waiting(status);
  const attention = needing(status);
  if (state === "signin") return `Sign in to sync ${status.pendingLogs || status.pending} pending`;
  if (state === "offline") return what ? `Offline · ${what} waiting to sync` : attention ? `Offline · ${attention}` : "Offline · nothing waiting to sync";
  if (state === "syncing") return what ? `Syncing ${what}…` : "Syncing…";
  if (state === "retrying") return what ? `${what} waiting to sync · will retry` : "Nothing waiting to sync";
  if (what) return `${what} waiting to sync`;
  if (state === "up-to-date") return attention || (status.lastSync ? `All synced · ${when(status.lastSync)}` : "All synced");
  return "Checking…";
}

export function syncStatus({ syncNow, onSignedIn }) {
  const root = $("#sync-status");
  const line = h("div", { class: "sync__line" });
  const form = signInForm({ onSignedIn, submitLabel: "Sign in and sync" });
  form.hidden = true;
  root.replaceChildren(line, form);

  return function render(status) {
    const canSync = status.pending > 0 && !["offline", "syncing", "signin"].includes(status.state);
    const state = status.state === "up-to-date" && status.pending ? "pending" : status.state;
    root.dataset.state = state;
    replace(line,
      h("span", { class: `dot ${state === "up-to-date" && status.attention ? "dot--alert" : DOTS[state] || ""}`, "aria-hidden": "true" }),
      h("span", { class: "sync__words", id: "sync-words" }, capitalised(words(status))),
      canSync ? h("button", { type: "button", class: "button button--small sync__now", onclick: syncNow }, "Sync now") : null);
    form.hidden = status.state !== "signin";
  };
}
