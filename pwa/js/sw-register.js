// Registers the service worker; a new version waits until the page says it is a safe moment.

let registration = null;
let isSafe = () => false;
let reloading = false;

function offerUpdate() {
  const waiting = registration && registration.waiting;
  if (waiting && navigator.serviceWorker.controller && isSafe()) waiting.postMessage({ type: "SKIP_WAITING" });
}

/** `safe()` says whether now is a safe moment (no half-done capture, no drain); `onSync` runs Background Sync. */
export async function register({ safe, onSync }) {
  if (!("serviceWorker" in navigator)) return null;
  isSafe = safe;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "SYNC") onSync();
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !registration || !registration.active) return;
    reloading = true;
    window.location.reload();
  });
  const hadController = Boolean(navigator.serviceWorker.controller);
  registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  if (!hadController) reloading = true;  // first install: claim() is not an update, never reload
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => installing.state === "installed" && offerUpdate());
  });
  offerUpdate();
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  return registration;
}

/** Called at safe moments (after a save, after a drain): take a waiting update now. */
export function takeUpdateIfSafe() {
  offerUpdate();
}
