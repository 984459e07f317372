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

const runs = (ctx) => (w) => w.user_id === ctx.userId && w.school_id === ctx.schoolId && !w.ended_at && !w.deleted;

/** The running walk of this user at this school, if any. */
export async function runningWalk(ctx) {
  return (await getAll("walks")).find(runs(ctx)) || null;
}

export async function observationsOf(ctx) {
  const rows = await getAll("observations");
  return rows.filter((o) => o.user_id === ctx.userId && o.school_id === ctx.schoolId && !o.deleted)
    .sort((a, b) => (a.observed_at < b.observed_at ? 1 : -1));
}

/** Setting, kind and team of this user's last log at a place (null if none): the next one there is
 * usually the same meeting. */
export async function lastDetailsAt(ctx, locationId) {
  const last = (await observationsOf(ctx)).find((o) => o.location_id === locationId);
  return last ? { setting: last.setting ?? null, conversation_kind: last.conversation_kind ?? null, team: last.team ?? null } : null;
}

function newWalk(ctx, startedAt) {
  return { id: crypto.randomUUID(), version: 1, user_id: ctx.userId, school_id: ctx.schoolId,
    started_at: startedAt, ended_at: null, last_activity_at: startedAt, deleted: false };
}

/** Save a new observation; the first log with no walk running starts one. Returns the record.
 * `draft.id`, made once per capture, makes a repeated save of it return the stored log rather than
 * add a second; the walk is looked up inside the write, so two saves at once cannot start two walks. */
export async function saveObservation(ctx, draft) {
  const now = isoInZone(new Date(), ctx.timeZone);
  const id = draft.id || crypto.randomUUID();
  const observation = await transact(STORES, "readwrite", async (s, done) => {
    const stored = await done(s.observations.get(id));
    if (stored) return stored;
    const running = (await done(s.walks.getAll())).find(runs(ctx));
    const walk = { ...(running || newWalk(ctx, now)), last_activity_at: now };
    const saved = { ...draft, id, version: 1, user_id: ctx.userId,
      school_id: ctx.schoolId, observed_at: now, walk_id: walk.id, deleted: false };
    s.walks.put(walk);
    if (!running) queue(s.outbox, "walk", walk);
    s.observations.put(saved);
    queue(s.outbox, "observation", saved);
    return saved;
  });
  changed();
  return observation;
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Edit (changes) or delete (null) a local record: bump its version and queue the new state. */
async function revise(entity, id, changes) {
  const store = entity === "walk" ? "walks" : "observations";
  const record = await transact(STORES, "readwrite", async (s, done) => {
    const current = await done(s[store].get(id));
    if (!current || current.deleted) return null;
    if (changes && Object.keys(changes).every((key) => same(current[key], changes[key]))) return current;  // nothing new: no version
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

/** Start a walk, or return the one already running (a second tap on Start walk starts nothing more). */
export async function startWalk(ctx) {
  const walk = await transact(STORES, "readwrite", async (s, done) => {
    const running = (await done(s.walks.getAll())).find(runs(ctx));
    if (running) return running;
    const started = newWalk(ctx, isoInZone(new Date(), ctx.timeZone));
    s.walks.put(started);
    queue(s.outbox, "walk", started);
    return started;
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
