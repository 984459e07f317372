// Planned conversations on the phone (issue 16), from the bootstrap's plans and this phone's records:
// which occurrence is under way where the observer stands, and where to walk next. The bootstrap sends
// the plans as parallel lists (schemas/bootstrap.py BootstrapPlansSchema) and each occurrence as
// "2026-12-08T15:00/PT60M" (start and length on the school's clock); "now" is read on that clock too.

export const SLACK_MINUTES = 10;  // a log a little before or after the meeting still belongs to it
export const NEXT_HOURS = 3;

const STATES = ["never_heard", "not_yet", "done"];  // the bootstrap's 0, 1, 2
const minutesOf = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const clockOf = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
const zipped = new WeakMap();

/** The school's plans as objects { id, name, location_id, state, occurrences }, zipped once per bootstrap.
 * A bootstrap cached before the lists (an array of objects) counts as none until the next one arrives. */
export function plansOf(school) {
  const columns = school?.plans;
  if (!columns || Array.isArray(columns) || !Array.isArray(columns.id)) return [];
  if (!zipped.has(columns)) {
    zipped.set(columns, columns.id.map((id, i) => ({ id, name: columns.name[i], location_id: columns.location_id[i],
      state: STATES[columns.state[i]] || "not_yet", occurrences: columns.occurrences[i] || [] })));
  }
  return zipped.get(columns);
}

/** The school's day ("2026-12-08") and minute of the day, now. */
export function schoolNow(timeZone, date = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Monday of a day's week, as a day. */
export function weekStart(day) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: "UTC" });

/** Every occurrence of the school's plans: { plan, day, start, end, from, to, key }. */
export function occurrencesOf(school) {
  return plansOf(school).flatMap((plan) => plan.occurrences.map((text) => {
    const day = text.slice(0, 10);
    const start = text.slice(11, 16);
    const from = minutesOf(start);
    const to = Math.min(from + Number(/\/PT(\d+)M$/.exec(text)?.[1] || 0), 24 * 60 - 1);
    return { plan, day, start, end: clockOf(to), from, to, key: `${plan.id}:${day}` };
  }));
}

/** "Grade 7 PLC, Tue 15:00": how the phone names an occurrence. */
export const labelOf = (occurrence) =>
  `${occurrence.plan.name}, ${WEEKDAY.format(new Date(`${occurrence.day}T12:00:00Z`))} ${occurrence.start}`;

/** Each plan's state this week: the bootstrap's, moved on by this phone's own logs and checks since. */
export function statesOf(school, observations, checks, today) {
  const monday = weekStart(today);
  const states = new Map(plansOf(school).map((plan) => [plan.id, plan.state]));
  for (const record of [...observations.filter((o) => o.plan_id), ...checks]) {
    const day = record.plan_day || record.day;
    if (record.deleted || !states.has(record.plan_id) || day < monday || day > today) continue;
    states.set(record.plan_id, "done");
  }
  return states;
}

/** Today's planned conversations under way or starting in the next few hours, not yet heard or checked
 * this week: the never-heard-this-term first, then by time. */
export function walkNext(school, states, now) {
  const rank = (o) => (states.get(o.plan.id) === "never_heard" ? 0 : 1);
  return occurrencesOf(school)
    .filter((o) => o.day === now.day && o.to >= now.minute && o.from <= now.minute + NEXT_HOURS * 60)
    .filter((o) => states.get(o.plan.id) !== "done")
    .sort((a, b) => rank(a) - rank(b) || a.from - b.from);
}

/** The occurrence a log made here and now is probably at: its place, during its time (± the slack). */
export function suggestionFor(school, locationId, now) {
  return occurrencesOf(school).find((o) => o.day === now.day && o.plan.location_id === locationId
    && o.from - SLACK_MINUTES <= now.minute && now.minute <= o.to + SLACK_MINUTES) || null;
}

/** When nothing is to walk to now: the soonest occurrence still ahead (later today or on the next day any
 * plan meets) whose plan is not yet heard or checked this week, or null. */
export function nextAhead(school, states, now) {
  return occurrencesOf(school)
    .filter((o) => o.day > now.day || (o.day === now.day && o.from > now.minute + NEXT_HOURS * 60))
    .filter((o) => o.day > now.day && weekStart(o.day) > weekStart(now.day) || states.get(o.plan.id) !== "done")
    .sort((a, b) => a.day.localeCompare(b.day) || a.from - b.from)[0] || null;
}

/** "today", "tomorrow", the weekday ("Monday") within the week ahead, else with its date. */
export function dayWords(day, today) {
  const gap = Math.round((Date.parse(`${day}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`)) / 86400000);
  if (gap === 0) return "today";
  if (gap === 1) return "tomorrow";
  const words = gap < 7 ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" };
  return new Intl.DateTimeFormat(undefined, { ...words, timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
}

/** Today's occurrences, for picking one by hand. */
export const todays = (school, now) => occurrencesOf(school).filter((o) => o.day === now.day).sort((a, b) => a.from - b.from);
