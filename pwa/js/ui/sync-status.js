// Always-visible sync state in plain words: offline, syncing, up to date, or sign in needed.

import { $, h, replace } from "../dom.js";
import { signInForm } from "./signin.js";

const DOTS = { offline: "dot--offline", syncing: "dot--busy", "up-to-date": "dot--ok", signin: "dot--alert",
  retrying: "dot--alert", pending: "dot--busy", starting: "dot--busy" };

function since(iso) {
  if (!iso) return "never synced on this phone";
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return "synced just now";
  if (minutes < 60) return `synced ${minutes} min ago`;
  return `synced ${new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" })}`;
}

/** What is waiting, as a leader counts it: logs (a walk's start or end only when nothing else waits). */
function waiting(status) {
  const n = status.pendingLogs ?? status.pending;
  if (n) return `${n} ${n === 1 ? "log" : "logs"}`;
  return status.pending ? "a walk" : "";
}

/** Changes the server did not take, waiting in My log: never "Up to date" while one waits. */
function needing(status) {
  const n = status.attention || 0;
  return n ? `${n} ${n === 1 ? "change needs" : "changes need"} attention in My log` : "";
}

function words(status) {
  const { state } = status;
  const what = waiting(status);
  const attention = needing(status);
  if (state === "signin") return `Sign in to sync ${status.pendingLogs || status.pending} pending`;
  if (state === "offline") return what ? `Offline · ${what} saved on this phone` : attention ? `Offline · ${attention}` : "Offline · all logs synced";
  if (state === "syncing") return `Syncing ${what}…`;
  if (state === "retrying") return `${what} waiting · will retry`;
  if (what) return `${what} waiting to sync`;
  if (state === "starting") return "Checking…";
  return attention || "Up to date";
}

export function syncStatus({ syncNow, onSignedIn }) {
  const root = $("#sync-status");
  const line = h("div", { class: "sync__line" });
  const form = signInForm({ onSignedIn, submitLabel: "Sign in and sync" });
  form.hidden = true;
  root.replaceChildren(line, form);

  return function render(status) {
    const canSync = status.pending > 0 && !["offline", "syncing", "signin"].includes(status.state);
    root.dataset.state = status.state;
    replace(line,
      h("span", { class: `dot ${status.state === "up-to-date" && status.attention ? "dot--alert" : DOTS[status.state] || ""}`, "aria-hidden": "true" }),
      h("span", { class: "sync__words", id: "sync-words" }, words(status)),
      status.state === "signin" ? null : h("span", { class: "sync__since" }, since(status.lastSync)),
      canSync ? h("button", { type: "button", class: "button button--small sync__now", onclick: syncNow }, "Sync now") : null);
    form.hidden = status.state !== "signin";
  };
}
