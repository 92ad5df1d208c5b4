/* The on-site capture pages' service worker (reviews/views/onsite.py serves it under
   /reviews/onsite/, its scope). A capture page is fetched from the network when it can be and
   kept; when the network is away the last copy kept opens instead, with its scripts and styles,
   so that the records queued on the phone (IndexedDB, reviews/static/reviews/onsite.js) stay in
   reach. Nothing but GET requests of our own origin is touched: records are sent by the page. */
"use strict";
var CACHE = "ccso-onsite-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  var page = request.mode === "navigate";
  if (!page && url.pathname.indexOf("{{ static_prefix|escapejs }}") !== 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreVary: true, ignoreSearch: !page }).then(function (kept) {
      return kept || Response.error();
    });
  }));
});
