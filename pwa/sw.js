/* Hallway Pulse service worker (a classic script, for older Firefox ESR on school devices).
   Precaches the app shell under a content version; serves it cache-first; never touches /api/.
   ON_DEMAND files (install icons, the Practice screen, the plan modules) are not precached: the first successful fetch
   puts them in the same versioned cache, so an update drops them with the rest of the shell. */
"use strict";

var VERSION = "__SHELL_VERSION__";
var SHELL_FILES = ["__SHELL_FILES__"];
var ON_DEMAND = ["__ON_DEMAND_FILES__"];
var PREFIX = "hallpulse-static-";
var CACHE = PREFIX + VERSION;
var APP_ROUTES = ["/", "/log", "/walk", "/follow-ups", "/practice", "/colisten"];
var ICON = "/icons/icon-192.png";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL_FILES.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }));
  // No skipWaiting here: the page posts SKIP_WAITING when no capture or sync is under way.
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;  // only our own stale shells
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  // The page, idle and online: cache the on-demand scripts and styles now, while there is signal (not the icons).
  if (event.data && event.data.type === "WARM") event.waitUntil(Promise.all(ON_DEMAND.filter(function (path) {
    return path.indexOf("/icons/") !== 0;
  }).map(function (path) { return onDemand(new Request(path), path).catch(function () {}); })));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0) return;  // network only: personal data lives in IndexedDB
  if (request.mode === "navigate" && APP_ROUTES.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match("/", { cacheName: CACHE }).then(function (shell) {
      return shell || fetch(request);
    }));
    return;
  }
  if (ON_DEMAND.indexOf(url.pathname) !== -1) {
    event.respondWith(onDemand(request, url.pathname));
    return;
  }
  if (SHELL_FILES.indexOf(url.pathname) === -1) return;
  event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then(function (cached) {
    return cached || fetch(request);
  }));
});

/* Cache-first from this version's cache; else the network, keeping a good same-origin copy. */
function onDemand(request, path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (cached) {
      if (cached) return cached;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          return cache.put(path, copy).then(function () { return response; }, function () { return response; });
        }
        return response;
      });
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "hallpulse-outbox") return;
  // The page owns the outbox code: wake every open window to drain it.
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    windows.forEach(function (client) { client.postMessage({ type: "SYNC" }); });
  }));
});

self.addEventListener("push", function (event) {
  // A due follow-up: small JSON with no notes; the tag makes a repeat replace the earlier one.
  var message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = {}; }
  var url = typeof message.url === "string" && message.url.charAt(0) === "/" ? message.url : "/follow-ups";
  event.waitUntil(self.registration.showNotification(message.title || "Hallway Pulse", {
    body: message.body || "A follow-up is due.",
    icon: ICON,
    badge: ICON,
    tag: message.tag || "hallpulse",
    renotify: Boolean(message.tag),
    data: { url: url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/follow-ups", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (new URL(windows[i].url).origin === self.location.origin && "focus" in windows[i]) {
        return windows[i].focus().then(function (client) { return client.navigate ? client.navigate(target) : client; });
      }
    }
    return self.clients.openWindow(target);
  }));
});
