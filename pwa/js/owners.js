// Who a follow-up can be given to: colleagues who log in the school, cached so the form works offline.

import * as api from "./api.js";
import { getMeta, setMeta } from "./db.js";
import * as session from "./session.js";

/** The cached list (at least "me"); refreshed from the server in the background when online. */
export async function owners() {
  const { user, schoolId } = session.state;
  const cached = await getMeta(session.ownersKey(user.id, schoolId), []);
  return cached.some((o) => o.id === user.id) ? cached : [{ id: user.id, name: user.name || user.email }, ...cached];
}

export async function refreshOwners() {
  const { user, schoolId } = session.state;
  if (!user || !schoolId || !session.canLog()) return;
  try {
    const body = await api.followUpOwners(schoolId);
    await setMeta(session.ownersKey(user.id, schoolId), body.items || []);
  } catch { /* offline or not allowed: keep the cached list */ }
}
