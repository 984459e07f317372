// Practice on written scenarios, offline: scenarios and their keys cached per user, answers kept in
// their own small queue (peek → send with the answer's UUID → delete only when the server's answer
// names that UUID, or says the scenario was answered already); a network error, 401, 403, 429 or 5xx
// keeps the answer. Not the sync outbox: practice answers are not school records and never sync as such.

import * as api from "./api.js";
import { get, getAll, put, transact } from "./db.js";
import { emit } from "./events.js";

const rowId = (userId, scenarioId) => `${userId}:${scenarioId}`;

const historyId = (userId, schoolId) => `${userId}:history:${schoolId}`;

/** The person's own practice history: fetched when online and kept on the phone (in the user's practice
 * rows, so signing out clears it), so it reads offline too. `savedAt` is set when it came from the phone. */
export async function historyOf(userId, schoolId) {
  try {
    const history = await api.practiceHistory(schoolId);
    await put("practice", { id: historyId(userId, schoolId), user_id: userId, history_school_id: schoolId, history,
      saved_at: new Date().toISOString() });
    return { history, savedAt: null };
  } catch (error) {
    if (!(error instanceof api.NetworkError)) throw error;
    const row = await get("practice", historyId(userId, schoolId));
    if (!row) throw error;
    return { history: row.history, savedAt: row.saved_at };
  }
}

/** This user's cached scenarios in a school, in the server's order. */
export async function practiceOf(userId, schoolId) {
  return (await getAll("practice")).filter((r) => r.user_id === userId && r.school_id === schoolId)
    .sort((a, b) => a.position - b.position);
}

/** Fetch the school's scenarios and their keys; keep what this phone answered and has not sent yet. */
export async function refreshPractice(userId, schoolId) {
  const [scenarios, keys] = await Promise.all([api.practiceScenarios(schoolId), api.practiceKeys(schoolId)]);
  const keyOf = new Map(keys.map((k) => [k.id, k.reference]));
  await transact(["practice"], "readwrite", async (s, done) => {
    const old = (await done(s.practice.getAll())).filter((r) => r.user_id === userId && r.school_id === schoolId);
    const listed = new Set(scenarios.map((sc) => rowId(userId, sc.id)));
    for (const row of old) if (!listed.has(row.id) && !row.local) s.practice.delete(row.id);
    const byId = new Map(old.map((r) => [r.id, r]));
    scenarios.forEach((scenario, position) => {
      const id = rowId(userId, scenario.id);
      const before = byId.get(id) || {};
      s.practice.put({ ...before, id, user_id: userId, school_id: schoolId, position, scenario,
        key: keyOf.get(scenario.id) || before.key || null,
        result: scenario.result || (before.local ? before.result : null) });
    });
  });
  emit("practice-changed");
}

/** The reveal this phone can show at once: per trait the person's level, the reference and why. */
export function localResult(answerId, answeredAt, traits, key, levels) {
  const rows = traits.map((trait) => {
    const yours = levels[trait.key] || 0;
    const reference = key[trait.key];
    return { key: trait.key, label: trait.label, your_level: yours, reference_level: reference.level,
      why: reference.why, agrees: yours === reference.level, colleagues: null };
  });
  return { answer_id: answerId, answered_at: answeredAt, agreed: rows.filter((r) => r.agrees).length, traits: rows,
    colleagues_answered: null };
}

/** Save an answer on the phone (result shown at once from the cached key) and queue it, in one transaction. */
export async function answer(row, traits, levels) {
  const id = crypto.randomUUID();
  const answeredAt = new Date().toISOString();
  const body = { id, scenario_id: row.scenario.id, levels, answered_at: answeredAt };
  await transact(["practice", "practice_answers"], "readwrite", async (s, done) => {
    const current = await done(s.practice.get(row.id));
    if (!current || current.result || current.local) return;  // answered already: the first answer stands
    const result = localResult(id, answeredAt, traits, current.key, levels);
    s.practice.put({ ...current, result, local: { id } });
    s.practice_answers.put({ id, user_id: row.user_id, school_id: row.school_id, row_id: row.id, body });
  });
  emit("practice-changed");
}

const KEEP = (error) => error instanceof api.NetworkError || [401, 403, 429].includes(error.status) || error.status >= 500;

/** Send waiting answers one by one, oldest first; stop at the first that must wait. */
export async function sendPractice(userId) {
  const waiting = (await getAll("practice_answers")).filter((e) => e.user_id === userId)
    .sort((a, b) => a.body.answered_at.localeCompare(b.body.answered_at));
  for (const entry of waiting) {
    let reply = null;
    try {
      reply = await api.practiceAnswer(entry.body);
    } catch (error) {
      if (!(error instanceof api.ApiError) || KEEP(error)) return;
      if (error.status === 409) reply = await api.practiceScenario(entry.body.scenario_id).catch(() => null);
    }
    await settle(entry, reply);
  }
}

/** The server has the answer (or refused it for good): the entry goes, its row takes the server's result. */
function settle(entry, reply) {
  const named = reply && reply.result && (reply.result.answer_id === entry.id || reply.id === entry.body.scenario_id);
  return transact(["practice", "practice_answers"], "readwrite", async (s, done) => {
    s.practice_answers.delete(entry.id);
    const row = await done(s.practice.get(entry.row_id));
    if (!row) return;
    if (named) s.practice.put({ ...row, scenario: { ...row.scenario, result: reply.result }, result: reply.result, local: null });
    else s.practice.put({ ...row, result: null, local: null });  // refused: the person may rate it again
  }).then(() => emit("practice-changed"));
}
