// The one module that opens IndexedDB: a tiny promise wrapper over the app's stores.
// Upgrades are cumulative `if (oldVersion < n)` steps; a store holding user data is never dropped.

const NAME = "hallpulse";
const VERSION = 4;
let opening = null;

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore("outbox", { keyPath: "id" });        // one pending change per record UUID
    db.createObjectStore("observations", { keyPath: "id" });  // this phone's copy, rendered by My log
    db.createObjectStore("walks", { keyPath: "id" });
    db.createObjectStore("attention", { keyPath: "id" });     // records the server called invalid
    db.createObjectStore("meta", { keyPath: "key" });         // bootstrap, signed-in user, last place…
  }
  if (oldVersion < 2) {
    db.createObjectStore("follow_ups", { keyPath: "id" });    // follow-ups this user owns or created
  }
  if (oldVersion < 3) {
    db.createObjectStore("practice", { keyPath: "id" });          // "user:scenario": a scenario, its key, the result
    db.createObjectStore("practice_answers", { keyPath: "id" });  // practice answers waiting to be sent, by UUID
  }
  if (oldVersion < 4) {
    db.createObjectStore("plan_checks", { keyPath: "id" });  // "checked, not heard" at planned conversations
    db.createObjectStore("colisten", { keyPath: "id" });  // co-listens this user started, and comparisons seen
  }
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function open() {
  if (!opening) {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    opening = done(request).then((db) => {
      db.onversionchange = () => { db.close(); opening = null; };
      return db;
    });
  }
  return opening;
}

/** Run `work(stores)` in one transaction over `names`; resolves with its result once committed. */
export async function transact(names, mode, work) {
  const db = await open();
  const list = [].concat(names);
  const tx = db.transaction(list, mode);
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
  const stores = Object.fromEntries(list.map((n) => [n, tx.objectStore(n)]));
  let result;
  try {
    result = await work(stores, done);
  } catch (error) {
    committed.catch(() => {});
    try { tx.abort(); } catch { /* already finished */ }
    throw error;
  }
  await committed;
  return result;
}

export const get = (store, key) => transact(store, "readonly", (s) => done(s[store].get(key)));
export const getAll = (store) => transact(store, "readonly", (s) => done(s[store].getAll()));
export const put = (store, value) => transact(store, "readwrite", (s) => done(s[store].put(value)));
export const remove = (store, key) => transact(store, "readwrite", (s) => done(s[store].delete(key)));

export async function getMeta(key, fallback = null) {
  const row = await get("meta", key);
  return row ? row.value : fallback;
}

export const setMeta = (key, value) => put("meta", { key, value });

/** Delete every row of `user_id` in the user-data stores, and the given meta keys, in one transaction. */
export function clearUser(userId, metaKeys) {
  const rows = ["observations", "walks", "follow_ups", "plan_checks", "attention", "outbox", "practice", "practice_answers",
    "colisten"];
  return transact([...rows, "meta"], "readwrite", async (s) => {
    for (const name of rows) {
      const rows = await done(s[name].getAll());
      for (const row of rows) if (row.user_id === userId) s[name].delete(row.id);
    }
    for (const key of metaKeys) s.meta.delete(key);
  });
}
