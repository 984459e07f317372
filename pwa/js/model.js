// Record shapes: the local copy of an observation, walk, follow-up or plan check, and the payload the sync protocol sends.

const OBSERVATION_FIELDS = [
  "walk_id", "rubric_id", "location_id", "observed_at", "setting", "conversation_kind",
  "participant_count", "participant_roles", "team", "note", "needs_follow_up", "trait_levels", "plan_id", "plan_day",
  "colisten_code",
];
const WALK_FIELDS = ["started_at", "ended_at"];
const FOLLOW_UP_FIELDS = [
  "observation_id", "owner_id", "action", "due_at", "status", "snoozed_until",
  "changed_practice", "outcome_note", "completed_at", "evidence_observation_id", "relisten",
];
const PLAN_CHECK_FIELDS = ["plan_id", "day", "outcome", "checked_at", "note"];  // "checked, not heard"
const COLISTEN_FIELDS = ["code", "started_at", "expires_at"];  // a co-listen session, made on the lead's phone
const FIELDS = {
  walk: WALK_FIELDS, observation: OBSERVATION_FIELDS, follow_up: FOLLOW_UP_FIELDS, plan_check: PLAN_CHECK_FIELDS,
  colisten: COLISTEN_FIELDS,
};
const STORES = {
  walk: "walks", observation: "observations", follow_up: "follow_ups", plan_check: "plan_checks", colisten: "colisten",
};

export const fieldsOf = (entity) => FIELDS[entity];

/** What the server is sent for a local record (never user or school: the session and batch say those). */
export function payload(entity, record) {
  if (record.deleted) return { type: "deletion", id: record.id, entity, version: record.version };
  const body = { type: entity, id: record.id, version: record.version };
  for (const field of fieldsOf(entity)) body[field] = record[field] ?? null;
  if (entity === "observation") {
    body.participant_roles = record.participant_roles || [];
    body.needs_follow_up = Boolean(record.needs_follow_up);
    body.trait_levels = record.trait_levels || {};
  }
  if (entity === "follow_up") body.relisten = Boolean(record.relisten);
  return body;
}

export const isDeleted = (record) => Boolean(record && (record.deleted_at || record.deleted || record.type === "deletion"));

/** The synced fields of a record in any shape (local copy, payload, server record). */
export function contentOf(entity, record) {
  const content = {};
  for (const field of fieldsOf(entity)) content[field] = record[field] ?? null;
  if (entity === "observation") {
    content.participant_roles = record.participant_roles || [];
    content.trait_levels = record.trait_levels || {};
    content.needs_follow_up = Boolean(record.needs_follow_up);
  }
  return content;
}

/** The server's version of a record as this phone last knew it: the base a local edit starts from. */
export function snapshot(entity, record) {
  return { version: record.version, deleted: isDeleted(record), ...(isDeleted(record) ? {} : contentOf(entity, record)) };
}

/** The version of a local edit: one above the server version it was made from, however many edits
 * this phone makes before it syncs (so a server that moved on meanwhile always answers `conflict`). */
export const nextVersion = (record) => (record.base ? record.base.version : record.version) + 1;

/** A server record (a conflict's `current`, or a pulled item) as this phone's local copy, with it as the base. */
export function fromServer(entity, record, userId, schoolId) {
  const local = { id: record.id, version: record.version, user_id: userId, school_id: schoolId, ...contentOf(entity, record) };
  local.deleted = isDeleted(record);
  if (entity === "follow_up") local.created_by_id = record.created_by_id ?? userId;
  local.base = snapshot(entity, record);
  return local;
}

export const entityOf = (entry) => (entry.type === "deletion" ? entry.record.entity : entry.type);
export const storeOf = (entity) => STORES[entity];
