// web/hash.js — keeps the page's URL hash in step with the app (appended to index.js with
// --post-js, after lenet_api.js). The app reads the hash once at start-up (main_web.cpp passes
// location.hash in AppConfig::hash); from then on:
//   - the app's canonical hash (window.lenet.state().hash) is written to the address bar with
//     history.replaceState as the user moves (no history entry per step, no hashchange event);
//   - a hash the user types or a link inside the page (hashchange) is applied with the
//     apply_hash command. Bad values are ignored by the app with a notice shown in the UI.
(function () {
  'use strict';
  var last = null;  // the app's hash as last written (or null: write it on the next sync)
  var seen = null;  // window.location.hash as of the last look
  // A hash the user typed or a link: apply it (or nothing when it is the app's own, or when sync
  // already applied it before its hashchange event ran: applying twice would repeat its notices).
  function userHash() {
    if (window.location.hash === seen) return;
    seen = window.location.hash;
    if (window.location.hash === last) return;
    var reply = window['lenet']['command']({'cmd': 'apply_hash', 'hash': window.location.hash});
    if (reply && reply['ok']) last = null;  // write the canonical form back on the next sync
  }
  function sync() {
    var s = window['lenet'] && window['lenet']['state']();
    if (!s || !s['ready'] || typeof s['hash'] !== 'string') return;
    // A new hash whose hashchange event has not run yet: apply it first. Writing the app's hash now
    // would replace it, and the event would then find the app's own hash and do nothing.
    if (seen !== null && window.location.hash !== seen) { userHash(); return; }
    if (s['hash'] !== last) {
      last = s['hash'];
      if (window.location.hash !== s['hash']) {
        try {
          history.replaceState(null, '', s['hash'] || window.location.pathname + window.location.search);
        } catch (e) { /* e.g. a sandboxed frame: the link just does not update */ }
      }
    }
    seen = window.location.hash;
  }
  window.addEventListener('hashchange', userHash);
  setInterval(sync, 300);
})();
