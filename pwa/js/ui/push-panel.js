// Reminders on this phone: what is sent (due follow-ups only, never notes), and the buttons to allow or stop.

import { ApiError, NetworkError } from "../api.js";
import { h } from "../dom.js";
import { BLOCKED, allowReminders, blocked, currentSubscription, stopReminders, unsupportedReason } from "../push.js";

export function pushPanel() {
  const state = h("p", { class: "push__state", id: "push-state", role: "status" });
  const allow = h("button", { type: "button", class: "button button--primary", id: "allow-reminders", onclick: () => run(allowReminders, "Reminders are on for this phone.") },
    "Allow reminders on this phone");
  const stop = h("button", { type: "button", class: "button button--secondary", id: "stop-reminders", hidden: true,
    onclick: () => run(stopReminders, "Reminders are off for this phone.") }, "Stop reminders");
  const element = h("section", { class: "card push", id: "push-panel", "aria-labelledby": "push-title" },
    h("h3", { class: "push__title", id: "push-title" }, "Reminders on this phone"),
    h("p", {}, "When a follow-up you own is due, this phone shows a short reminder: \u201cFollow-up due\u201d and what you wrote to do (for a re-listen, also the place to go back to). Nothing else is sent: no notes, no logs, no names."),
    state, h("div", { class: "account__actions" }, allow, stop));

  function problem(error) {
    if (error instanceof NetworkError) return "Turning reminders on or off needs a connection.";
    if (error instanceof ApiError && error.status === 503) return "Reminders are not set up on this server yet.";
    return error.message;
  }

  async function run(work, done) {
    allow.disabled = stop.disabled = true;
    state.textContent = "Working…";
    try {
      await work();
      state.textContent = done;
    } catch (error) {
      state.textContent = problem(error);
    } finally {
      allow.disabled = stop.disabled = false;
      await render(false);
    }
  }

  async function render(describe = true) {
    const reason = unsupportedReason();
    allow.hidden = Boolean(reason);
    stop.hidden = true;
    if (reason) { state.textContent = reason; return; }
    const subscription = await currentSubscription().catch(() => null);
    allow.hidden = Boolean(subscription);
    stop.hidden = !subscription;
    if (!describe) return;
    if (subscription) state.textContent = "Reminders are on for this phone.";
    else state.textContent = blocked() ? BLOCKED : "Reminders are off for this phone.";
  }

  return { element, render };
}
