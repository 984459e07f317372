// Record shapes: the local copy of an observation or walk, and the payload the sync protocol sends.

const OBSERVATION_FIELDS = [
  "walk_id", "rubric_id", "location_id", "observed_at", "setting", "conversation_kind",
  "participant_count", "participant_roles", "team", "note", "needs_follow_up", "trait_levels",
];
const WALK_FIELDS = ["started_at", "ended_at"];

export const fieldsOf = (entity) => (entity === "walk" ? WALK_FIELDS : OBSERVATION_FIELDS);

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
  return body;
}

/** A server record (a conflict's `current`, or a pulled item) as this phone's local copy. */
export function fromServer(entity, record, userId, schoolId) {
  const local = { id: record.id, version: record.version, user_id: userId, school_id: schoolId };
  for (const field of fieldsOf(entity)) local[field] = record[field] ?? null;
  local.deleted = Boolean(record.deleted_at || record.deleted || record.type === "deletion");
  if (entity === "observation") {
    local.participant_roles = record.participant_roles || [];
    local.trait_levels = record.trait_levels || {};
    local.needs_follow_up = Boolean(record.needs_follow_up);
  }
  return local;
}

export const entityOf = (entry) => (entry.type === "deletion" ? entry.record.entity : entry.type);
export const storeOf = (entity) => (entity === "walk" ? "walks" : "observations");
