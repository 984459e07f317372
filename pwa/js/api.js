// The server's JSON API: session-cookie requests with a fresh CSRF token before each write.

const TIMEOUT_MS = 20000;

export class NetworkError extends Error {}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  get isCsrf() {
    return this.status === 400 && /csrf/i.test(`${this.problem.detail || ""} ${this.problem.title || ""}`);
  }
}

async function request(method, path, { body, csrf } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRFToken"] = csrf;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: "same-origin", cache: "no-store", signal: controller.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new NetworkError(error.message || "network error");
  } finally {
    clearTimeout(timer);
  }
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

export async function csrfToken() {
  return (await request("GET", "/api/v1/auth/csrf")).csrf_token;
}

/** A write with a token fetched just before it; a CSRF 400 gets one fresh token and one retry. */
async function write(method, path, body) {
  try {
    return await request(method, path, { body, csrf: await csrfToken() });
  } catch (error) {
    if (!(error instanceof ApiError && error.isCsrf)) throw error;
    return request(method, path, { body, csrf: await csrfToken() });
  }
}

export const me = () => request("GET", "/api/v1/auth/me");
export const bootstrap = () => request("GET", "/api/v1/bootstrap");
export const login = (email, password) => write("POST", "/api/v1/auth/login", { email, password });
export const logout = () => write("POST", "/api/v1/auth/logout", {});
export const sync = (schoolId, records) => write("POST", "/api/v1/sync", { school_id: schoolId, records });

const LISTINGS = { walk: "walks", observation: "observations", follow_up: "follow-ups", plan_check: "plan-checks" };

/** One page of the user's own walks, observations or follow-ups in a school, from a cursor;
 * `from` (first pull on a phone) keeps only records observed or started since then. */
export function ownRecords(entity, schoolId, since, { limit = 200, from = null } = {}) {
  const query = new URLSearchParams({ school_id: schoolId, limit });
  if (since) query.set("since", since);
  if (from) query.set("from", from);
  return request("GET", `/api/v1/${LISTINGS[entity]}?${query}`);
}

export const followUpOwners = (schoolId) => request("GET", `/api/v1/follow-ups/owners?school_id=${schoolId}`);
/** Logs heard after a follow-up's conversation that the user may link as evidence when closing it. */
export const laterLogs = (followUpId, limit) =>
  request("GET", `/api/v1/follow-ups/${encodeURIComponent(followUpId)}/later-logs?limit=${limit}`);
export const pushKey = () => request("GET", "/api/v1/push/key");
export const subscribePush = (subscription) => write("POST", "/api/v1/push/subscriptions", subscription);
export const unsubscribePush = (endpoint) => write("DELETE", "/api/v1/push/subscriptions", { endpoint });

export const colistenComparisons = (schoolId) => request("GET", `/api/v1/colisten?school_id=${schoolId}`);
export const practiceScenarios = (schoolId) => request("GET", `/api/v1/practice/scenarios?school_id=${schoolId}`);
export const practiceKeys = (schoolId) => request("GET", `/api/v1/practice/offline-keys?school_id=${schoolId}`);
export const practiceHistory = (schoolId) => request("GET", `/api/v1/practice/history?school_id=${schoolId}`);
export const practiceScenario = (id) => request("GET", `/api/v1/practice/scenarios/${id}`);
export const practiceAnswer = (answer) => write("POST", "/api/v1/practice/answers", answer);
