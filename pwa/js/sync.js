// When and how the outbox drains: on every outbox change (a log, an edit, a deletion, a walk or a
// follow-up), start, `online`, visibility, every 30 s while pending, Background Sync; failures back off
// exponentially with jitter (cap 5 min) and keep every entry. `lastSync` is when the outbox was last empty.

import * as api from "./api.js";
import { getAll, getMeta, setMeta } from "./db.js";
import { emit, on } from "./events.js";
import { entityOf } from "./model.js";
import { BATCH_SIZE, entriesOf, peek, settle } from "./outbox.js";
import { pull } from "./pull.js";
import { lastSyncKey, state as session } from "./session.js";

const PENDING_INTERVAL_MS = 30000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 5 * 60000;
const MAX_BATCHES_PER_DRAIN = 40;

export const status = { state: "starting", pending: 0, pendingLogs: 0, attention: 0, lastSync: null, draining: false };
let failures = 0;
let timer = null;
let rerun = false;

function publish(changes) {
  Object.assign(status, changes);
  emit("sync-status", status);
}

/** Outbox entries of the signed-in user: `pending` (all) and `pendingLogs` (the logs, as users count them);
 * `attention`: changes the server did not take, waiting in My log for the user. */
async function countPending() {
  const entries = session.user ? await entriesOf(session.user.id) : [];
  const walks = entries.filter((entry) => ["walk", "colisten"].includes(entityOf(entry))).length;  // not logs
  const attention = session.user ? (await getAll("attention"))
    .filter((a) => a.user_id === session.user.id && a.school_id === session.schoolId).length : 0;
  return { pending: entries.length, pendingLogs: entries.length - walks, attention };
}

let counting = Promise.resolve();

/** Publish a state with fresh counts; serialised, so a slow count never overwrites a newer one. */
function publishCounted(changes = {}) {
  counting = counting.then(async () => publish({ ...changes, ...(await countPending()) })).catch(() => {});
  return counting;
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => drain("timer"), ms);
}

function backoff() {
  failures += 1;
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** failures);
  schedule(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Send this user's outbox batch by batch; only the server's per-record answers remove entries. */
async function drainOnce() {
  const me = await api.me();  // entries are only ever sent under their author's session
  if (!session.user || me.id !== session.user.id) return "other-user";
  for (let batch = 0; batch < MAX_BATCHES_PER_DRAIN; batch += 1) {
    const next = await peek(me.id, BATCH_SIZE);
    if (!next) break;
    await publishCounted({ state: "syncing" });
    const response = await api.sync(next.schoolId, next.entries.map((entry) => entry.record));
    const settled = await settle(next.entries, response.results);
    emit("records-changed");
    if (settled === 0) break;  // nothing acknowledged (all still in flight elsewhere): try later
  }
  if (await pull(me.id)) emit("records-changed");
  // Co-listening (on demand): fetch the comparisons of this user's co-listened logs, once they are synced.
  await import("./colisten.js").then((module) => module.refreshComparisons(me.id)).catch(() => {});
  return "done";
}

export async function drain(reason = "manual") {
  if (!session.user) return;
  if (status.draining) {
    rerun = true;  // a save during a drain: go round once more when this one ends
    return;
  }
  rerun = false;
  if (!navigator.onLine) {
    await publishCounted({ state: "offline" });
    return;
  }
  publish({ draining: true });
  try {
    const run = () => drainOnce();
    const outcome = navigator.locks
      ? await navigator.locks.request("hallpulse-sync", { ifAvailable: true }, (lock) => (lock ? run() : "busy"))
      : await run();
    failures = 0;
    const { pending } = await countPending();
    if (outcome === "done" || outcome === "other-user") {
      const allSent = outcome === "done" && !pending;  // only then has the phone synced everything
      const lastSync = allSent ? new Date().toISOString() : status.lastSync;
      if (allSent) await setMeta(lastSyncKey(session.user.id), lastSync);
      await publishCounted({ state: pending ? "pending" : "up-to-date", lastSync });
    }
    if (pending) schedule(PENDING_INTERVAL_MS);
  } catch (error) {
    const signedOut = error instanceof api.ApiError && error.status === 401;
    const offline = error instanceof api.NetworkError && !navigator.onLine;
    await publishCounted({ state: signedOut ? "signin" : offline ? "offline" : "retrying", error: error.message });
    if (!signedOut) backoff();
  } finally {
    publish({ draining: false });
    emit("drain-finished", reason);
    if (rerun && status.state !== "signin") drain("rerun");
  }
}

export async function start() {
  await publishCounted({ lastSync: session.user ? await getMeta(lastSyncKey(session.user.id)) : null });
  window.addEventListener("online", () => { failures = 0; drain("online"); });
  window.addEventListener("offline", () => publishCounted({ state: "offline" }));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && drain("visible"));
  on("records-changed", () => publishCounted());
  on("outbox-changed", () => changed());
  drain("start");
}

/** Something entered the outbox: try now (offline, this just counts it), and ask for Background Sync
 * where the browser has it. */
async function changed() {
  drain("change");
  const registration = navigator.serviceWorker && (await navigator.serviceWorker.getRegistration());
  if (registration && registration.sync) registration.sync.register("hallpulse-outbox").catch(() => {});
}
