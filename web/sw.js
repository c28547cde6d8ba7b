// web/sw.js — the page's service worker: the app keeps working without a network after one visit.
// Network first, always: online, every request goes to the server, so a new release is picked up
// on the next load and nobody is stuck on an old copy. When the network fails, the answer comes
// from this release's cache, which the page fills as it loads (web/assets.js, web/shell.js: the
// page files, index.wasm.gz and every data file fetched so far). A new release's worker (the build
// writes its id into @LENET_RELEASE@) takes over at once and deletes the caches of older releases.
'use strict';
var CACHE = 'lenet5-explorer-@LENET_RELEASE@';

self.addEventListener('install', function () {
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf('lenet5-explorer-') === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).catch(function (error) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request, {ignoreSearch: true, ignoreVary: true});
    }).then(function (cached) {
      if (cached) return cached;
      throw error;
    });
  }));
});
