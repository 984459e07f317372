// Co-listening on the phone (on demand, server/pwa.py): the lead's phone makes the session offline (a UUID
// and a short code drawn here), colleagues type or scan the code, and each phone's next log carries it.
// The phone never holds another observer's tags: the comparison comes from the server, and only once
// this observer's own log has synced (GET /api/v1/colisten).

import * as api from "./api.js";
import { getAll, getMeta, setMeta, transact } from "./db.js";
import { emit } from "./events.js";
import { queue } from "./outbox.js";
import { colistenKey, state as session } from "./session.js";
import { isoInZone } from "./time.js";

export const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";  // no 0/O, 1/I/L: read aloud or typed without doubt
export const LENGTH = 6;
const WINDOW_MS = 2 * 3600 * 1000;  // a log joins the session if made within two hours of its start
const RECENT_MS = 30 * 86400 * 1000;
const CODE = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** Six characters of the alphabet from the phone's random source (no modulo bias: 248 = 31 × 8). */
export function makeCode() {
  let code = "";
  while (code.length < LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(LENGTH * 2))) {
      if (byte < 248 && code.length < LENGTH) code += ALPHABET[byte % ALPHABET.length];
    }
  }
  return code;
}

/** A code from what was typed or scanned (the QR holds a join link), or null. */
export function readCode(text) {
  let value = String(text || "").trim();
  if (/^https?:/i.test(value)) {
    try { value = new URL(value).searchParams.get("code") || ""; } catch { value = ""; }
  }
  value = value.toUpperCase().replace(/[\s-]/g, "");
  return CODE.test(value) ? value : null;
}

export const joinLink = (code) => `${window.location.origin}/colisten?code=${code}`;
const key = (ctx) => colistenKey(ctx.userId, ctx.schoolId);

/** The co-listen the next log joins, if one is on and not past its window. */
export async function active(ctx) {
  const current = await getMeta(key(ctx));
  return current && Date.parse(current.expires_at) > Date.now() ? current : null;
}

/** The lead starts a co-listen, offline: the session is a record of the outbox like any log. */
export async function start(ctx) {
  const now = new Date();
  const session = {
    id: crypto.randomUUID(), version: 1, user_id: ctx.userId, school_id: ctx.schoolId, kind: "session", code: makeCode(),
    started_at: isoInZone(now, ctx.timeZone), expires_at: isoInZone(new Date(now.getTime() + WINDOW_MS), ctx.timeZone),
  };
  await transact(["colisten", "outbox"], "readwrite", async (s) => {
    s.colisten.put(session);
    queue(s.outbox, "colisten", session);
  });
  await setMeta(key(ctx), { code: session.code, session_id: session.id, lead: true, expires_at: session.expires_at });
  emit("colisten-changed");
  return session;
}

/** A colleague joins with the code: nothing is sent; their next log carries it. */
export async function join(ctx, code) {
  await setMeta(key(ctx), { code, lead: false, expires_at: new Date(Date.now() + WINDOW_MS).toISOString() });
  emit("colisten-changed");
}

/** End the co-listen on this phone, offline: its later logs carry no code. The lead's phone also closes the
 * session's window now (a new version of the session record, queued once: a second tap finds it ended), so
 * logs made after this stay ordinary logs on the server too. A colleague has nothing on the server to close. */
export async function end(ctx) {
  const current = await getMeta(key(ctx));
  if (!current) return null;
  if (current.lead && current.session_id) {
    await transact(["colisten", "outbox"], "readwrite", async (s, done) => {
      const stored = await done(s.colisten.get(current.session_id));
      if (!stored || stored.ended_at) return;
      const now = Date.now();
      const closes = new Date(Math.max(now, Date.parse(stored.started_at) + 1000));  // a window ends after it starts
      const ended = { ...stored, version: stored.version + 1, expires_at: isoInZone(closes, ctx.timeZone),
        ended_at: new Date(now).toISOString() };
      s.colisten.put(ended);
      queue(s.outbox, "colisten", ended);
    });
  }
  await setMeta(key(ctx), null);
  emit("colisten-changed");
  return current;
}

/** This user's co-listened logs of the last 30 days in the school, newest first. */
export async function codedLogs(ctx) {
  return (await getAll("observations")).filter((o) => o.user_id === ctx.userId && o.school_id === ctx.schoolId
    && o.colisten_code && !o.deleted && Date.now() - Date.parse(o.observed_at) < RECENT_MS)
    .sort((a, b) => (a.observed_at < b.observed_at ? 1 : -1));
}

export async function comparisons(ctx) {
  return (await getAll("colisten")).filter((row) => row.kind === "comparison" && row.user_id === ctx.userId
    && row.school_id === ctx.schoolId);
}

/** After a sync: the server's comparisons of this user's co-listens (only if there are co-listened logs). */
export async function refreshComparisons(userId) {
  const schoolId = session.schoolId;
  if (!schoolId || !(await codedLogs({ userId, schoolId })).length) return;
  const body = await api.colistenComparisons(schoolId);
  if (session.user?.id !== userId) return;
  await transact("colisten", "readwrite", async (s) => {
    for (const item of body.items || []) {
      s.colisten.put({ ...item, id: `comparison:${item.session_id}`, kind: "comparison", user_id: userId, school_id: schoolId });
    }
  });
  emit("colisten-changed");
}
