// Follow-ups on this phone: made (from a log or on their own), completed, snoozed or dropped offline.
// Each change is the whole follow-up with its version bumped, queued in the same transaction.

import { getAll, transact } from "./db.js";
import { emit } from "./events.js";
import { nextVersion } from "./model.js";
import { queue } from "./outbox.js";
import { isoInZone } from "./time.js";

const STORES = ["follow_ups", "outbox"];
const DAY_MS = 86400000;
export const SOON_DAYS = 7;

/** Follow-ups of this school that the user owns or made, soonest first. */
export async function followUpsOf(ctx) {
  const rows = await getAll("follow_ups");
  return rows.filter((f) => f.user_id === ctx.userId && f.school_id === ctx.schoolId && !f.deleted)
    .sort((a, b) => (remindAt(a) < remindAt(b) ? -1 : 1));
}

/** When it is really due: the snooze, if any, else the due time. */
export const remindAt = (followUp) => new Date(followUp.snoozed_until || followUp.due_at).getTime();

/** "overdue", "soon" (within a week), "later", or the closed status. */
export function standing(followUp, now = Date.now()) {
  if (followUp.status !== "open") return followUp.status;
  const at = remindAt(followUp);
  if (at < now) return "overdue";
  return at - now <= SOON_DAYS * DAY_MS ? "soon" : "later";
}

/** Save a new open follow-up; `draft` has action, owner_id, due_at and optionally observation_id, and
 * `id` (made once per form): saving the same draft again returns the stored follow-up, not a second one. */
export async function createFollowUp(ctx, draft) {
  const followUp = {
    id: draft.id || crypto.randomUUID(), version: 1, user_id: ctx.userId, school_id: ctx.schoolId, created_by_id: ctx.userId,
    observation_id: draft.observation_id || null, owner_id: draft.owner_id, action: draft.action, due_at: draft.due_at,
    status: "open", snoozed_until: null, changed_practice: null, outcome_note: null, completed_at: null, deleted: false,
    relisten: Boolean(draft.relisten && draft.observation_id), evidence_observation_id: null,
  };
  const stored = await transact(STORES, "readwrite", async (s, done) => {
    const already = await done(s.follow_ups.get(followUp.id));
    if (already) return already;
    s.follow_ups.put(followUp);
    queue(s.outbox, "follow_up", followUp);
    return followUp;
  });
  emit("records-changed");
  return stored;
}

/** Apply `changes` if `applies(current)` still holds when the write runs: a second tap, arriving while
 * the first is written, finds the follow-up already closed or snoozed and changes nothing. */
async function revise(id, changes, applies) {
  const record = await transact(STORES, "readwrite", async (s, done) => {
    const current = await done(s.follow_ups.get(id));
    if (!current || current.deleted || !applies(current)) return null;
    const next = { ...current, ...changes, version: nextVersion(current) };
    s.follow_ups.put(next);
    queue(s.outbox, "follow_up", next);
    return next;
  });
  emit("records-changed");
  return record;
}

/** Done, with the outcome: did practice change, what changed and how it was seen (no names), and
 * optionally a later conversation of this phone that shows it. */
const isOpen = (current) => current.status === "open";

export const completeFollowUp = (ctx, id, changedPractice, note, evidenceId = null) => revise(id, {
  status: "done", changed_practice: Boolean(changedPractice), outcome_note: note || null,
  evidence_observation_id: evidenceId || null,
  completed_at: isoInZone(new Date(), ctx.timeZone),
}, isOpen);

export const dropFollowUp = (ctx, id) => revise(id, {
  status: "dropped", changed_practice: null, outcome_note: null, evidence_observation_id: null, completed_at: isoInZone(new Date(), ctx.timeZone),
}, isOpen);

/** Remind again `days` from now (or from the due time, if that is later: a snooze must be after it). */
export async function snoozeFollowUp(ctx, followUp, days) {
  const from = Math.max(Date.now(), new Date(followUp.due_at).getTime() + 60000);
  return revise(followUp.id, { snoozed_until: isoInZone(new Date(from + days * DAY_MS), ctx.timeZone) },
    (current) => current.version === followUp.version);
}
