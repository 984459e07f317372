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

/** Whether the user has already refused notifications for this site (the browser will not ask again). */
export function blocked() {
  return !unsupportedReason() && Notification.permission === "denied";
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

export const BLOCKED = "Notifications are blocked for this site \u2014 allow them in the browser\u2019s site settings, then try again.";
const DISMISSED = "Reminders need your permission: tap \u201cAllow reminders on this phone\u201d again and choose Allow.";

/** A user-facing reason for an error of `pushManager.subscribe`, by the DOMException's name: a
 *  refusal is about permission (or a private window), not about the connection. */
function subscribeProblem(error) {
  // Chromium names a refusal "permission denied" in the message, sometimes under an AbortError.
  if (error && (error.name === "NotAllowedError" || /permission/i.test(error.message || ""))) {
    return Notification.permission === "granted"
      ? "This browser refused reminders for this site. Allow notifications for it in the browser\u2019s site settings (a private window cannot have reminders), then try again."
      : BLOCKED;
  }
  if (error && error.name === "NotSupportedError") return "This browser cannot show reminders.";
  if (error && error.name === "AbortError") return "The browser\u2019s push service could not be reached. Check the connection and try again.";
  return `This browser could not turn on reminders (${(error && (error.message || error.name)) || "unknown error"}).`;
}

/** Ask permission (called from a tap), subscribe and tell the server. Throws an Error with a user-facing message. */
export async function allowReminders() {
  const permission = await Notification.requestPermission();
  if (permission === "denied") throw new Error(BLOCKED);
  if (permission !== "granted") throw new Error(DISMISSED);
  const { public_key: publicKey } = await api.pushKey();
  const registration = await navigator.serviceWorker.ready;
  let subscription;
  try {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  } catch (error) {
    throw new Error(subscribeProblem(error));
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
