// One "Needs attention" entry for a change the server did not take because another device changed
// the same record: what happened, in words, with the other device's time in the school's zone,
// what differs (yours / the other), and the two ways out.

import { h } from "../dom.js";
import { threeWay, valueOf } from "../merge.js";
import { isDeleted } from "../model.js";
import { clock } from "../time.js";
import { LEVEL_WORDS } from "./trait-picker.js";

const LABELS = {
  walk_id: "Walk", rubric_id: "Rubric", location_id: "Place", observed_at: "Time", setting: "Setting",
  conversation_kind: "Kind of conversation", participant_count: "People", participant_roles: "Roles", team: "Team",
  note: "Note", needs_follow_up: "Follow-up", started_at: "Walk start", ended_at: "Walk end",
  observation_id: "Log", owner_id: "Owner", action: "Action", due_at: "Due", status: "Status",
  snoozed_until: "Snoozed until", changed_practice: "Changed practice", outcome_note: "Outcome", completed_at: "Completed",
  plan_id: "Planned conversation", plan_day: "Planned day", day: "Day", outcome: "Why not heard", checked_at: "Checked at",
  evidence_observation_id: "Later log linked", relisten: "Listen again",
};
const INSTANTS = new Set(["observed_at", "started_at", "ended_at", "due_at", "snoozed_until", "completed_at", "checked_at"]);
const TRAIT = "trait_levels.";

/** What the record is, as the user would name it. */
function subject(entity, record, { zone, names }) {
  if (entity === "walk") return record.started_at ? `the walk you started at ${clock(record.started_at, zone)}` : "a walk";
  if (entity === "follow_up") return record.action ? `the follow-up “${record.action}”` : "a follow-up";
  if (entity === "plan_check") return record.day ? `your check of a planned conversation on ${record.day}` : "a check";
  if (!record.observed_at) return "a log";
  return `the ${clock(record.observed_at, zone)} log at ${names.get(record.location_id) || "an unknown place"}`;
}

function shown(unit, record, { zone, names, traits }) {
  if (unit.startsWith(TRAIT)) return (LEVEL_WORDS[valueOf(record, unit)] || LEVEL_WORDS[0]).toLowerCase();
  const value = record[unit];
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "none";
  if (unit === "location_id") return names.get(value) || "an unknown place";
  if (INSTANTS.has(unit)) return clock(value, zone);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map((v) => String(v).replace(/_/g, " ")).join(", ");
  if (unit === "note" || unit === "outcome_note" || unit === "action" || unit === "team") return `“${value}”`;
  return String(value).replace(/_/g, " ");
}

function label(unit, traits) {
  if (!unit.startsWith(TRAIT)) return LABELS[unit] || unit.replace(/_/g, " ");
  const key = unit.slice(TRAIT.length);
  return (traits.find((t) => t.key === key) || { label: key }).label;
}

/** The sentence that says what happened. */
function story(waiting, verdict, view) {
  const { entity, mine, current } = waiting;
  const when = current.deleted_at || current.updated_at;
  const at = when ? ` at ${clock(when, view.zone)}` : "";
  const what = subject(entity, isDeleted(mine) ? current : mine, view);
  if (verdict.reason === "deleted-there") {
    return [`Deleted on another phone${at}`, `Your change to ${what} was not saved: it was deleted on another phone. “Apply mine again” saves yours as a new one.`];
  }
  if (verdict.reason === "deleted-here") {
    return [`Changed on another phone${at}`, `You deleted ${what} on this phone, but it was changed on another phone, so it was not deleted. “Apply mine again” deletes it.`];
  }
  return [`Changed on another phone${at}`, `Your change to ${what} was not saved: the same thing was changed on another phone.`];
}

/** Render a waiting conflict; `choose(kind)` runs "mine" or "theirs" once (the buttons disable themselves). */
export function conflictEntry(waiting, view, choose) {
  const verdict = threeWay(waiting.entity, waiting.base, waiting.mine, waiting.current);
  const reason = verdict.outcome === "conflict" ? verdict : { reason: "edited", units: [] };
  const [headline, sentence] = story(waiting, reason, view);
  const buttons = [];
  const press = (kind) => () => {
    for (const button of buttons) button.disabled = true;
    choose(kind);
  };
  buttons.push(
    h("button", { type: "button", class: "button button--small button--primary", onclick: press("mine") }, "Apply mine again"),
    h("button", { type: "button", class: "button button--small button--secondary", onclick: press("theirs") }, "Keep the other"));
  const differences = (reason.units || []).map((unit) => h("li", {},
    h("strong", {}, `${label(unit, view.traits)}: `),
    `yours ${shown(unit, waiting.mine, view)} · other phone ${shown(unit, waiting.current, view)}`));
  return h("li", { class: "entry entry--alert entry--conflict", dataset: { id: waiting.id } },
    h("p", { class: "entry__headline" }, headline),
    h("p", { class: "entry__problem" }, sentence),
    differences.length ? h("ul", { class: "entry__errors", "aria-label": "What differs" }, differences) : null,
    h("div", { class: "entry__actions entry__actions--wrap" }, buttons));
}
