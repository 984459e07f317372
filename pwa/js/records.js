// Local-first writes: each change lands in IndexedDB with its outbox entry in one transaction.
// Identity is the client's UUID; version starts at 1, and an edit or deletion is one above the
// server version it was made from (model.nextVersion).

import { getAll, transact } from "./db.js";
import { emit } from "./events.js";
import { nextVersion } from "./model.js";
import { queue } from "./outbox.js";
import { isoInZone } from "./time.js";

const STORES = ["observations", "walks", "outbox"];

function changed() {
  emit("records-changed");
}

/** The running walk of this user at this school, if any. */
export async function runningWalk(ctx) {
  const walks = await getAll("walks");
  return walks.find((w) => w.user_id === ctx.userId && w.school_id === ctx.schoolId && !w.ended_at && !w.deleted) || null;
}

export async function observationsOf(ctx) {
  const rows = await getAll("observations");
  return rows.filter((o) => o.user_id === ctx.userId && o.school_id === ctx.schoolId && !o.deleted)
    .sort((a, b) => (a.observed_at < b.observed_at ? 1 : -1));
}

function newWalk(ctx, startedAt) {
  return { id: crypto.randomUUID(), version: 1, user_id: ctx.userId, school_id: ctx.schoolId,
    started_at: startedAt, ended_at: null, last_activity_at: startedAt, deleted: false };
}

/** Save a new observation; the first log with no walk running starts one. Returns the record. */
export async function saveObservation(ctx, draft) {
  const now = isoInZone(new Date(), ctx.timeZone);
  const running = await runningWalk(ctx);
  const walk = running || newWalk(ctx, now);
  const observation = { ...draft, id: crypto.randomUUID(), version: 1, user_id: ctx.userId,
    school_id: ctx.schoolId, observed_at: now, walk_id: walk.id, deleted: false };
  await transact(STORES, "readwrite", (s) => {
    const updatedWalk = { ...walk, last_activity_at: now };
    s.walks.put(updatedWalk);
    if (!running) queue(s.outbox, "walk", updatedWalk);
    s.observations.put(observation);
    queue(s.outbox, "observation", observation);
  });
  changed();
  return observation;
}

/** Edit (changes) or delete (null) a local record: bump its version and queue the new state. */
async function revise(entity, id, changes) {
  const store = entity === "walk" ? "walks" : "observations";
  const record = await transact(STORES, "readwrite", async (s, done) => {
    const current = await done(s[store].get(id));
    if (!current || current.deleted) return null;
    const next = changes ? { ...current, ...changes } : { ...current, deleted: true };
    next.version = nextVersion(current);
    s[store].put(next);
    queue(s.outbox, entity, next);
    return next;
  });
  changed();
  return record;
}

export const editObservation = (id, changes) => revise("observation", id, changes);
export const deleteObservation = (id) => revise("observation", id, null);

export async function startWalk(ctx) {
  const walk = newWalk(ctx, isoInZone(new Date(), ctx.timeZone));
  await transact(STORES, "readwrite", (s) => {
    s.walks.put(walk);
    queue(s.outbox, "walk", walk);
  });
  changed();
  return walk;
}

export async function endWalk(ctx, endedAt = isoInZone(new Date(), ctx.timeZone)) {
  const walk = await runningWalk(ctx);
  return walk ? revise("walk", walk.id, { ended_at: endedAt }) : null;
}

/** Auto-end a walk after the school's idle minutes with no logs: it ended at the last log. */
export async function endIdleWalk(ctx) {
  const walk = await runningWalk(ctx);
  if (!walk) return null;
  const lastActivity = walk.last_activity_at || walk.started_at;
  const idleMs = Date.now() - new Date(lastActivity).getTime();
  return idleMs >= ctx.idleMinutes * 60000 ? endWalk(ctx, lastActivity) : null;
}
