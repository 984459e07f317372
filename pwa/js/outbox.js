// The outbox: peek → send with the record's UUID → delete only when the server's answer names it.
// A network error, 401, 403, 429 or 5xx never reaches settle(), so every entry simply stays.

import { getAll, transact } from "./db.js";
import { resolveConflict } from "./conflicts.js";
import { emit } from "./events.js";
import { entityOf, payload, snapshot, storeOf } from "./model.js";

export const BATCH_SIZE = 50;
const ACKNOWLEDGED = new Set(["stored", "unchanged", "conflict"]);
const EARLIER = 4;
let sequence = 0;
const announced = new WeakSet();

/** Queue the latest state of a record inside the caller's transaction (one entry per UUID). An entry it
 * replaces may already be on the server (its answer lost): `earlier` keeps the last few such sends, so
 * a conflict with one of them is known as this phone's own. Once that transaction commits,
 * "outbox-changed" tells sync there is something to send, whatever the change was. */
export function queue(outboxStore, entity, record) {
  const body = payload(entity, record);
  const entry = {
    id: record.id, user_id: record.user_id, school_id: record.school_id, type: body.type,
    version: record.version, record: body, seq: Date.now() * 1000 + (sequence++ % 1000),
  };
  const replaced = outboxStore.get(record.id);
  replaced.onsuccess = () => {
    const old = replaced.result;
    outboxStore.put(old ? { ...entry, earlier: [...(old.earlier || []), old.record].slice(-EARLIER) } : entry);
  };
  const tx = outboxStore.transaction;
  if (!announced.has(tx)) {
    announced.add(tx);
    tx.addEventListener("complete", () => emit("outbox-changed"));
  }
}

export async function entriesOf(userId) {
  return (await getAll("outbox")).filter((entry) => entry.user_id === userId);
}

const RANK = { colisten: 0, walk: 0, observation: 1, follow_up: 2, plan_check: 3 };
// Every store a sync result can touch: the outbox, each record type's store, and what needs attention.
const SETTLED_STORES = ["outbox", "observations", "walks", "follow_ups", "plan_checks", "attention", "colisten"];

/** The next batch for one school: walks, then observations, then follow-ups (each may name the one before). */
export async function peek(userId, limit = BATCH_SIZE) {
  const entries = await entriesOf(userId);
  if (!entries.length) return null;
  const schoolId = entries.reduce((a, b) => (a.seq <= b.seq ? a : b)).school_id;
  const rank = (entry) => RANK[entityOf(entry)] ?? 1;
  const batch = entries.filter((e) => e.school_id === schoolId)
    .sort((a, b) => rank(a) - rank(b) || a.seq - b.seq).slice(0, limit);
  return { schoolId, entries: batch };
}

/** The server now holds what was sent, and the record was edited since: that edit is made from it. */
async function rebase(s, done, entry, queued) {
  const entity = entityOf(entry);
  const store = s[storeOf(entity)];
  const local = await done(store.get(entry.id));
  if (!local || entry.type === "deletion") return;
  const base = snapshot(entity, entry.record);
  const version = base.version + 1;
  store.put({ ...local, base, version });
  s.outbox.put({ ...queued, version, record: { ...queued.record, version }, earlier: [] });
}

/** Apply the server's per-record results; returns how many entries left the outbox (or were merged). */
export function settle(sent, results) {
  const sentById = new Map(sent.map((entry) => [entry.id, entry]));
  return transact(SETTLED_STORES, "readwrite", async (s, done) => {
    let settled = 0;
    for (const result of results || []) {
      const entry = sentById.get(result.id);
      if (!entry || !(ACKNOWLEDGED.has(result.status) || result.status === "invalid")) continue;
      const queued = await done(s.outbox.get(entry.id));
      if (!queued) continue;
      if (queued.seq !== entry.seq) {  // edited since it was sent: the newer version goes next
        if (result.status === "stored" || result.status === "unchanged") await rebase(s, done, entry, queued);
        continue;
      }
      if (result.status === "conflict" && result.current) {
        settled += 1;
        if (await resolveConflict(s, done, entry, result.current) === "merged") continue;  // re-queued
      } else if (result.status === "invalid") {
        s.attention.put({ id: entry.id, user_id: entry.user_id, school_id: entry.school_id, entry, errors: result.errors || {} });
        settled += 1;
      } else {
        if (result.status !== "conflict") await confirm(s, done, entry, result.colisten);
        s.attention.delete(entry.id);
        settled += 1;
      }
      s.outbox.delete(entry.id);
    }
    return settled;
  });
}

/** Stored or unchanged: what was sent is the server's version now, the base of the next edit. */
async function confirm(s, done, entry, colisten) {
  const entity = entityOf(entry);
  const store = s[storeOf(entity)];
  const local = await done(store.get(entry.id));
  // A co-listened log keeps what the server said of its code (linked, or why it stays an ordinary log).
  if (local && local.version === entry.version) store.put({ ...local, base: snapshot(entity, entry.record), ...(colisten ? { colisten } : {}) });
}
