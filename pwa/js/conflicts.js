// A change the server did not take (a sync `conflict`) is never dropped: changes to different fields
// merge and go again; anything else waits in "attention" (My log's "Needs attention") with both
// versions until the user applies theirs again or keeps the other's. Local-first, like every write.

import { transact } from "./db.js";
import { emit } from "./events.js";
import { threeWay, sameContent } from "./merge.js";
import { contentOf, entityOf, fromServer, isDeleted, storeOf } from "./model.js";
import { queue } from "./outbox.js";

const STORES = ["attention", "outbox", "observations", "walks", "follow_ups", "plan_checks"];

/** Inside settle()'s transaction: decide the conflict of a sent `entry` against the server's `current`.
 * Returns "theirs" (nothing of mine lost), "merged" (re-queued above current) or "asked". */
export async function resolveConflict(s, done, entry, current) {
  const entity = entityOf(entry);
  const store = s[storeOf(entity)];
  const local = await done(store.get(entry.id));
  const theirs = fromServer(entity, current, entry.user_id, entry.school_id);
  const ownEarlier = (entry.earlier || []).some((sent) => sent.version === current.version && sameContent(entity, sent, current));
  const base = ownEarlier ? theirs.base : local && local.base;  // the server holds an earlier send of this phone
  const verdict = threeWay(entity, base || null, entry.record, current);
  if (verdict.outcome === "merged") {
    const merged = { ...(local || {}), ...contentOf(entity, verdict.record), deleted: false,
      version: current.version + 1, base: theirs.base };
    store.put(merged);
    queue(s.outbox, entity, merged);
    s.attention.delete(entry.id);
    return "merged";
  }
  if (verdict.outcome === "theirs" || !local) {
    store.put({ ...(local || {}), ...theirs });
    s.attention.delete(entry.id);
    return "theirs";
  }
  s.attention.put({ id: entry.id, kind: "conflict", entity, user_id: entry.user_id, school_id: entry.school_id,
    base: base || null, mine: entry.record, current, noticed_at: new Date().toISOString() });
  return "asked";
}

/** Inside a pull's transaction: a record waiting for the user's choice keeps mine on this phone;
 * a newer server version becomes the "other" of the choice. Returns whether the item was held. */
export async function holdForChoice(s, done, item) {
  const waiting = await done(s.attention.get(item.id));
  if (!waiting || waiting.kind !== "conflict") return false;
  const newer = item.version > waiting.current.version || (isDeleted(item) && !isDeleted(waiting.current));
  if (newer) s.attention.put({ ...waiting, current: item });
  return true;
}

/** Run one choice on a waiting conflict; a second tap (or a stale screen) finds nothing and does nothing. */
async function choose(id, work) {
  const outcome = await transact(STORES, "readwrite", async (s, done) => {
    const waiting = await done(s.attention.get(id));
    if (!waiting || waiting.kind !== "conflict") return null;
    s.attention.delete(id);
    const store = s[storeOf(waiting.entity)];
    const local = await done(store.get(id));
    const edited = Boolean(await done(s.outbox.get(id)));  // edited again since: that is "mine" now
    const theirs = fromServer(waiting.entity, waiting.current, waiting.user_id, waiting.school_id);
    return work({ s, store, waiting, local: local || theirs, edited, theirs });
  });
  emit("records-changed");
  return outcome;
}

/** "Apply mine again": send this phone's version (or deletion) above the server's. A record deleted
 * on the server stays deleted there (a tombstone is final), so an edit of it comes back as a new record. */
export const applyMine = (id) => choose(id, ({ s, store, waiting, local, edited, theirs }) => {
  const entity = waiting.entity;
  const mine = edited ? local : { ...local, ...(isDeleted(waiting.mine) ? {} : contentOf(entity, waiting.mine)),
    deleted: isDeleted(waiting.mine) };
  if (theirs.deleted && !mine.deleted) {
    store.put({ ...local, ...theirs });
    s.outbox.delete(id);
    const copy = { ...mine, id: crypto.randomUUID(), version: 1, deleted: false };
    delete copy.base;
    store.put(copy);
    queue(s.outbox, entity, copy);
    return "copied";
  }
  const next = { ...mine, version: waiting.current.version + 1, base: theirs.base };
  store.put(next);
  queue(s.outbox, entity, next);
  return "applied";
});

/** "Keep the other": this phone takes the server's version; nothing is sent. */
export const keepTheirs = (id) => choose(id, ({ s, store, local, theirs }) => {
  s.outbox.delete(id);
  store.put({ ...local, ...theirs });
  return "kept";
});
