// Learn of this user's records made or changed on other devices (tombstones included).

import * as api from "./api.js";
import { getMeta, setMeta, transact } from "./db.js";
import { fromServer, storeOf } from "./model.js";
import { cursorKey, state as session } from "./session.js";

const MAX_PAGES = 20;

/** Merge pages of one entity; a record with a newer local change waiting is left alone. */
async function pullEntity(entity, userId, schoolId) {
  let merged = 0;
  const key = `${cursorKey(userId, schoolId)}:${entity}`;
  const store = storeOf(entity);
  let cursor = await getMeta(key);
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const body = await api.ownRecords(entity, schoolId, cursor);
    await transact([store, "outbox"], "readwrite", async (s, done) => {
      for (const item of body.items || []) {
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

/** Pull walks, then observations; returns how many local records changed. */
export async function pull(userId) {
  const schoolId = session.schoolId;
  if (!schoolId) return 0;
  return (await pullEntity("walk", userId, schoolId)) + (await pullEntity("observation", userId, schoolId));
}
