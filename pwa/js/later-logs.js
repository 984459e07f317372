// The later logs a follow-up may be closed with ("a later observation that shows it"): online, the
// server's list (logs synced from any phone: the user's own, and for principals a colleague's);
// merged with this phone's own logs, which may not have reached the server yet. Offline, this phone's only.

import * as api from "./api.js";
import { clock, dayLabel } from "./time.js";

export const SHOWN = 20;

/** This phone's logs heard after the conversation the follow-up came from (`source`: when and where). */
function ownLater(followUp, logs, source) {
  if (!source) return [];
  const after = new Date(source.observed_at);
  return logs.filter((o) => o.id !== followUp.observation_id && new Date(o.observed_at) > after)
    .map((o) => ({ id: o.id, observed_at: o.observed_at, location_id: o.location_id, team: o.team ?? null, mine: true,
      same_place: o.location_id === source.location_id, same_team: Boolean(source.team) && o.team === source.team }));
}

/** Where it started first (a re-listen happens there), then the newest. */
const order = (a, b) => (Number(b.same_place || b.same_team) - Number(a.same_place || a.same_team))
  || (new Date(b.observed_at) - new Date(a.observed_at));

function labelled(log, places, timeZone) {
  const where = places.get(log.location_id) || log.place || "Unknown place";
  // Whose first: a phone's select shows only the start of its label.
  const parts = [log.mine ? null : "Colleague", where, log.team, `${dayLabel(log.observed_at, timeZone)}, ${clock(log.observed_at, timeZone)}`];
  return { id: log.id, label: parts.filter(Boolean).join(" · ") };
}

/** This phone's candidates at once (none if the follow-up's log is not on this phone). */
export function offlineLater(followUp, logs, places, timeZone) {
  if (!followUp.observation_id) return [];
  const source = logs.find((o) => o.id === followUp.observation_id);
  return ownLater(followUp, logs, source).sort(order).slice(0, SHOWN).map((log) => labelled(log, places, timeZone));
}

/** The server's list merged with this phone's own; null when the server cannot be asked (offline, or the
 * follow-up has not reached it yet), so the caller keeps what it shows. */
export async function onlineLater(followUp, logs, places, timeZone) {
  if (!followUp.observation_id) return [];
  let found;
  try {
    found = await api.laterLogs(followUp.id, SHOWN);
  } catch {
    return null;
  }
  const known = new Set(found.items.map((log) => log.id));
  const merged = [...found.items, ...ownLater(followUp, logs, found.source).filter((log) => !known.has(log.id))];
  return merged.sort(order).slice(0, SHOWN).map((log) => labelled(log, places, timeZone));
}
