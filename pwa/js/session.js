// Who is signed in and what capture needs (schools, places, rubric), cached for offline cold starts.

import * as api from "./api.js";
import { clearUser, getMeta, setMeta } from "./db.js";
import { emit } from "./events.js";

export const LOGGING_ROLES = new Set(["district_admin", "principal", "observer"]);
export const state = { user: null, bootstrap: null, schoolId: null, signedIn: null };

const bootstrapKey = (userId) => `bootstrap:${userId}`;
const schoolKey = (userId) => `school:${userId}`;
export const placesKey = (userId, schoolId) => `places:${userId}:${schoolId}`;
export const cursorKey = (userId, schoolId) => `cursor:${userId}:${schoolId}`;
export const lastSyncKey = (userId) => `last-sync:${userId}`;
export const ownersKey = (userId, schoolId) => `owners:${userId}:${schoolId}`;
export const colistenKey = (userId, schoolId) => `colisten:${userId}:${schoolId}`;  // the code the next log carries

export const school = () => state.bootstrap?.schools.find((s) => s.id === state.schoolId) || null;
export const canLog = (s = school()) => Boolean(s && (s.can_log ?? LOGGING_ROLES.has(s.role)));

export function rubric(s = school()) {
  if (!s) return null;
  return s.rubrics.find((r) => r.is_default) || s.rubrics[0] || null;
}

/** The plain context records.js needs for a write. */
export function context() {
  const s = school();
  return { userId: state.user.id, schoolId: s.id, timeZone: s.timezone, idleMinutes: s.walk_idle_minutes || 20 };
}

async function adopt(user, bootstrap) {
  state.user = user;
  state.bootstrap = bootstrap;
  const remembered = await getMeta(schoolKey(user.id));
  const schools = bootstrap.schools;
  const preferred = schools.find((s) => s.id === remembered) || schools.find((s) => canLog(s)) || schools[0];
  state.schoolId = preferred ? preferred.id : null;
  emit("session-changed");
}

/** Open from the cache (works with no network): the last signed-in user and their bootstrap. */
export async function restore() {
  const user = await getMeta("user");
  const bootstrap = user && (await getMeta(bootstrapKey(user.id)));
  if (user && bootstrap) await adopt(user, bootstrap);
  return Boolean(state.bootstrap);
}

/** Ask the server who is signed in and refresh the bootstrap; false when signed out. Network errors throw. */
export async function refresh() {
  let bootstrap;
  try {
    bootstrap = await api.bootstrap();
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) {
      state.signedIn = false;
      emit("session-changed");
      return false;
    }
    throw error;
  }
  state.signedIn = true;
  await setMeta(bootstrapKey(bootstrap.user.id), bootstrap);
  await setMeta("user", bootstrap.user);
  await adopt(bootstrap.user, bootstrap);
  return true;
}

export async function signIn(email, password) {
  await api.login(email, password);
  return refresh();
}

export async function chooseSchool(id) {
  state.schoolId = id;
  await setMeta(schoolKey(state.user.id), id);
  emit("session-changed");
}

/** Sign out on the server, then forget this user's data on the phone (the caller checked the outbox). */
export async function signOut() {
  await api.logout();
  const userId = state.user.id;
  state.user = null;  // a pull still in flight sees this and writes nothing back
  const keys = ["user", bootstrapKey(userId), schoolKey(userId), lastSyncKey(userId)];
  for (const s of state.bootstrap?.schools || []) {
    keys.push(placesKey(userId, s.id), ownersKey(userId, s.id), `${cursorKey(userId, s.id)}:walk`,
      `${cursorKey(userId, s.id)}:observation`, `${cursorKey(userId, s.id)}:follow_up`, colistenKey(userId, s.id));
  }
  await clearUser(userId, keys);
  Object.assign(state, { user: null, bootstrap: null, schoolId: null, signedIn: false });
}
