// "Checked, not heard" (issue 16): the observer went to a planned conversation and heard no learning
// conversation there. A record of its own, written with its outbox entry in one transaction, synced
// exactly once by its UUID, editable and deletable like a log (model.nextVersion).

import { getAll, transact } from "./db.js";
import { emit } from "./events.js";
import { nextVersion } from "./model.js";
import { queue } from "./outbox.js";
import { isoInZone } from "./time.js";

const STORES = ["plan_checks", "outbox"];
export const OUTCOMES = { not_held: "Didn't meet", cancelled: "Cancelled", not_learning: "Logistics only" };

export async function checksOf(ctx) {
  return (await getAll("plan_checks")).filter((c) => c.user_id === ctx.userId && c.school_id === ctx.schoolId && !c.deleted)
    .sort((a, b) => (a.checked_at < b.checked_at ? 1 : -1));
}

/** Record a check of an occurrence; `label` ("Grade 7 PLC, Tue 15:00") stays on this phone only. */
export async function saveCheck(ctx, { plan_id, day, outcome, label }) {
  const check = { id: crypto.randomUUID(), version: 1, user_id: ctx.userId, school_id: ctx.schoolId, plan_id, day,
    outcome, checked_at: isoInZone(new Date(), ctx.timeZone), note: null, label, deleted: false };
  await transact(STORES, "readwrite", (s) => {
    s.plan_checks.put(check);
    queue(s.outbox, "plan_check", check);
  });
  emit("records-changed");
  return check;
}

/** Change the outcome (changes) or delete (null); a repeated tap changes nothing more. */
export async function reviseCheck(id, changes) {
  const check = await transact(STORES, "readwrite", async (s, done) => {
    const current = await done(s.plan_checks.get(id));
    if (!current || current.deleted) return null;
    if (changes && Object.keys(changes).every((key) => current[key] === changes[key])) return current;
    const next = changes ? { ...current, ...changes } : { ...current, deleted: true };
    next.version = nextVersion(current);
    s.plan_checks.put(next);
    queue(s.outbox, "plan_check", next);
    return next;
  });
  emit("records-changed");
  return check;
}
