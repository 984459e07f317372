// Who is signed in, and signing out: refused while logs wait in the outbox, since they would be lost.

import { NetworkError } from "../api.js";
import { getAll } from "../db.js";
import { h } from "../dom.js";
import { entityOf } from "../model.js";
import { entriesOf } from "../outbox.js";
import * as session from "../session.js";

async function dropCachedApiResponses() {
  if (!("caches" in window)) return;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) if (new URL(request.url).pathname.startsWith("/api/")) await cache.delete(request);
  }
}

export function accountPanel({ syncNow }) {
  const who = h("p", { class: "account__who" });
  const message = h("p", { class: "account__message", role: "alert" });
  const syncButton = h("button", { type: "button", class: "button button--secondary", hidden: true,
    onclick: () => { message.textContent = "Syncing…"; syncNow(); } }, "Sync now");
  const signOut = h("button", { type: "button", class: "button button--secondary", id: "sign-out", onclick: () => attempt() }, "Sign out");
  const element = h("section", { class: "account", "aria-label": "Account" }, who, h("div", { class: "account__actions" }, signOut, syncButton), message);

  async function attempt() {
    message.textContent = "";
    syncButton.hidden = true;
    const entries = await entriesOf(session.state.user.id);
    const logs = entries.filter((entry) => entityOf(entry) === "observation").length;
    if (entries.length) {
      const what = logs ? `${logs} ${logs === 1 ? "log has" : "logs have"}` : "A walk has";
      message.textContent = `${what} not reached the server yet. Sync before signing out, or it would be lost.`;
      syncButton.hidden = false;
      return;
    }
    // practice.js is fetched on demand (server/pwa.py ON_DEMAND): try to send, then count what still waits.
    await import("../practice.js").then((practice) => practice.sendPractice(session.state.user.id)).catch(() => {});
    const userId = session.state.user.id;
    const practised = (await getAll("practice_answers")).filter((e) => e.user_id === userId).length;
    if (practised) {
      message.textContent = `${practised} practice ${practised === 1 ? "answer has" : "answers have"} not reached the server yet. Connect before signing out, or ${practised === 1 ? "it" : "they"} would be lost.`;
      return;
    }
    try {
      await session.signOut();
      await dropCachedApiResponses();
      window.location.assign("/login");
    } catch (error) {
      message.textContent = error instanceof NetworkError
        ? "Signing out needs a connection. Try again when you have signal."
        : `Could not sign out: ${error.message}`;
    }
  }

  return {
    element,
    render() {
      const user = session.state.user;
      who.textContent = user ? `Signed in as ${user.name || user.email}` : "";
    },
  };
}
