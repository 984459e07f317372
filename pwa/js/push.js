// Web Push on this phone: subscribe only after the user asks (a tap), with the server's VAPID key.

import * as api from "./api.js";

/** Why reminders cannot be turned on here, or null when they can. */
export function unsupportedReason() {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (ios && navigator.standalone === false) {
    return "On iPhone and iPad, reminders work once Hallway Pulse is on the Home Screen: tap Share, then \u201cAdd to Home Screen\u201d, and open it from there.";
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "This browser cannot show reminders.";
  }
  return null;
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export async function currentSubscription() {
  if (unsupportedReason()) return null;
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** Ask permission (called from a tap), subscribe and tell the server. Throws an Error with a user-facing message. */
export async function allowReminders() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site. Allow them in the browser's site settings, then try again.");
  const { public_key: publicKey } = await api.pushKey();
  const registration = await navigator.serviceWorker.ready;
  let subscription;
  try {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  } catch (error) {
    throw new Error(`This browser could not turn on reminders (${error.message || error.name}). Check the connection and try again.`);
  }
  await api.subscribePush(subscription.toJSON());
  return subscription;
}

/** Tell the server to stop, then drop the browser's subscription. */
export async function stopReminders() {
  const subscription = await currentSubscription();
  if (!subscription) return;
  await api.unsubscribePush(subscription.endpoint);
  await subscription.unsubscribe();
}
