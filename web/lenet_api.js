// web/lenet_api.js — window.lenet, the page's JavaScript API for tests and embedding pages.
// Appended to index.js with --post-js, so it comes with the app whatever HTML page loads it.
//
//   lenet.state()       -> {ready, version, platform, frames, fps, width, height, error, app: {...}}
//                          (see platform_state_json in web/platform.h). Before the app runs:
//                          {ready: false, loading: true, error: null}; after a failure, error says why.
//   lenet.command(obj)  -> the app's reply to a command object, e.g.
//                          lenet.command({cmd: 'select_preset', name: 'lenet5'}) -> {ok: true, ...};
//                          failures give {ok: false, error: '...'}.
(function () {
  'use strict';
  var failure = null;  // why the runtime stopped (abort), if it did
  var previousOnAbort = Module['onAbort'];
  Module['onAbort'] = function (what) {
    failure = String(what);
    if (previousOnAbort) previousOnAbort(what);
  };

  // Before the runtime starts, a rejected promise means the loader failed (e.g. index.wasm could not
  // be downloaded): report it instead of "loading" forever.
  window.addEventListener('unhandledrejection', function (e) {
    if (!Module['calledRun'] && failure === null) failure = String((e.reason && e.reason.message) || e.reason);
  });

  function running() {
    return failure === null && Module['calledRun'];
  }

  window['lenet'] = {
    'state': function () {
      if (!running()) return {ready: false, loading: failure === null, error: failure};
      try {
        return JSON.parse(Module['ccall']('lenet_state_json', 'string', [], []));
      } catch (e) {
        return {ready: false, loading: false, error: String(e)};
      }
    },
    'command': function (command) {
      if (!running()) return {ok: false, error: failure || 'the app is still loading'};
      var text = typeof command === 'string' ? command : JSON.stringify(command);
      return JSON.parse(Module['ccall']('lenet_command', 'string', ['string'], [text]));
    },
  };
})();
