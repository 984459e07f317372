// Learn of this user's records made or changed on other devices (tombstones included).
// A phone's first pull asks for the last RECENT_DAYS only: the whole history is the dashboard's job.

import * as api from "./api.js";
import { holdForChoice } from "./conflicts.js";
import { getMeta, setMeta, transact } from "./db.js";
import { fromServer, storeOf } from "./model.js";
import { cursorKey, state as session } from "./session.js";

const MAX_PAGES = 20;
const RECENT_DAYS = 14;
const WINDOWED = new Set(["walk", "observation"]);

/** Merge pages of one entity; a record with a newer local change waiting is left alone. */
async function pullEntity(entity, userId, schoolId) {
  let merged = 0;
  const key = `${cursorKey(userId, schoolId)}:${entity}`;
  const store = storeOf(entity);
  let cursor = await getMeta(key);
  const from = !cursor && WINDOWED.has(entity) ? new Date(Date.now() - RECENT_DAYS * 86400000).toISOString() : null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const body = await api.ownRecords(entity, schoolId, cursor, { from });
    if (session.user?.id !== userId) return merged;  // signed out meanwhile: keep nothing of theirs
    await transact([store, "outbox", "attention"], "readwrite", async (s, done) => {
      for (const item of body.items || []) {
        if (await holdForChoice(s, done, item)) continue;
        const local = await done(s[store].get(item.id));
        const waiting = await done(s.outbox.get(item.id));
        if (waiting || (local && local.version > item.version)) continue;
        if (local && local.version === item.version && local.deleted === Boolean(item.deleted_at)) continue;
        s[store].put({ ...(local || {}), ...fromServer(entity, item, userId, schoolId) });
        merged += 1;
      }
    });
    if (body.next_cursor) {
      cursor = body.next_cursor;
      await setMeta(key, cursor);
    }
    if (!body.has_more) break;
  }
  return merged;
}

/** Pull walks, observations, follow-ups, then plan checks; returns how many local records changed. */
export async function pull(userId) {
  const schoolId = session.schoolId;
  if (!schoolId) return 0;
  let merged = 0;
  for (const entity of ["walk", "observation", "follow_up", "plan_check"]) merged += await pullEntity(entity, userId, schoolId);
  return merged;
}
