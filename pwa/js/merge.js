// Three-way merge of one record after a sync conflict: what this phone changed since the server
// version it edited from (the base) against what another device changed since then. Changes to
// different fields merge; changes to the same field (or a deletion against an edit) are a question
// for the user. Pure: no IndexedDB, no DOM.

import { fieldsOf, isDeleted } from "./model.js";

const INSTANTS = new Set(["observed_at", "started_at", "ended_at", "due_at", "snoozed_until", "completed_at"]);
const TRAIT = "trait_levels.";

/** Fields valid only together (the server checks them as one): a change to one is a change to all. */
const GROUPS = {
  observation: [["setting", "conversation_kind"]],
  walk: [["started_at", "ended_at"]],
  follow_up: [["status", "changed_practice", "outcome_note", "completed_at", "evidence_observation_id"], ["due_at", "snoozed_until"]],
};

function comparable(field, value) {
  if (field === "needs_follow_up" || field === "relisten") return Boolean(value);
  if (field === "participant_roles") return [...(value || [])].sort().join(",");
  if (value === undefined || value === null || value === "") return null;
  if (INSTANTS.has(field)) {
    const instant = Date.parse(value);
    return Number.isNaN(instant) ? String(value) : instant;  // same instant, any offset or precision
  }
  return value;
}

/** The comparable units of an entity: each field, and each trait level on its own. */
export function unitsOf(entity, ...records) {
  const units = fieldsOf(entity).filter((field) => field !== "trait_levels");
  if (entity === "observation") {
    const keys = new Set(records.flatMap((record) => Object.keys((record && record.trait_levels) || {})));
    units.push(...[...keys].sort().map((key) => TRAIT + key));
  }
  return units;
}

export function valueOf(record, unit) {
  if (unit.startsWith(TRAIT)) return Number(((record && record.trait_levels) || {})[unit.slice(TRAIT.length)] || 0);
  return comparable(unit, record ? record[unit] : null);
}

/** The units whose values differ between two records (left-out traits count as 0). */
export function changedUnits(entity, from, to) {
  return unitsOf(entity, from, to).filter((unit) => valueOf(from, unit) !== valueOf(to, unit));
}

export const sameContent = (entity, a, b) =>
  isDeleted(a) === isDeleted(b) && (isDeleted(a) || changedUnits(entity, a, b).length === 0);

function groupOf(entity, unit) {
  const group = (GROUPS[entity] || []).find((fields) => fields.includes(unit));
  return group ? group[0] : unit;
}

function membersOf(entity, unit, units) {
  const group = groupOf(entity, unit);
  return units.filter((other) => groupOf(entity, other) === group);
}

/** `theirs` (server shape) with the units of `mine` applied: trait levels key by key. */
function apply(entity, theirs, mine, units) {
  const merged = { ...theirs };
  if (entity === "observation") merged.trait_levels = { ...(theirs.trait_levels || {}) };
  for (const unit of units) {
    if (unit.startsWith(TRAIT)) merged.trait_levels[unit.slice(TRAIT.length)] = valueOf(mine, unit);
    else merged[unit] = mine[unit] ?? null;
  }
  return merged;
}

/**
 * Decide a conflict. `base` is the server's record this phone last knew (null if unknown), `mine`
 * this phone's record or deletion, `theirs` the server's `current`. Returns
 *   {outcome: "theirs"}                      nothing of mine is lost by keeping theirs;
 *   {outcome: "merged", record}              both changes, in theirs' shape (the caller sets the version);
 *   {outcome: "conflict", reason, units}     reason "edited" | "deleted-here" | "deleted-there".
 */
export function threeWay(entity, base, mine, theirs) {
  const mineGone = isDeleted(mine);
  const theirsGone = isDeleted(theirs);
  if (mineGone && theirsGone) return { outcome: "theirs" };
  if (!mineGone && !theirsGone && sameContent(entity, mine, theirs)) return { outcome: "theirs" };
  const mineChanged = base && !isDeleted(base) ? changedUnits(entity, base, mine) : null;
  if (theirsGone) {
    return mineChanged && mineChanged.length === 0 ? { outcome: "theirs" } : { outcome: "conflict", reason: "deleted-there", units: [] };
  }
  if (mineGone) return { outcome: "conflict", reason: "deleted-here", units: [] };
  if (!mineChanged) {  // no base: every difference is a question
    return { outcome: "conflict", reason: "edited", units: changedUnits(entity, theirs, mine) };
  }
  const theirsChanged = changedUnits(entity, base, theirs);
  const theirGroups = new Set(theirsChanged.map((unit) => groupOf(entity, unit)));
  const all = unitsOf(entity, base, mine, theirs);
  const clashing = new Set();
  for (const unit of mineChanged) {
    if (!theirGroups.has(groupOf(entity, unit))) continue;
    for (const member of membersOf(entity, unit, all)) {
      if (valueOf(mine, member) !== valueOf(theirs, member)) clashing.add(member);
    }
  }
  if (clashing.size) return { outcome: "conflict", reason: "edited", units: all.filter((unit) => clashing.has(unit)) };
  const mineUnits = all.filter((unit) => mineChanged.some((changed) => groupOf(entity, changed) === groupOf(entity, unit)));
  const merged = apply(entity, theirs, mine, mineUnits);
  return sameContent(entity, merged, theirs) ? { outcome: "theirs" } : { outcome: "merged", record: merged };
}
