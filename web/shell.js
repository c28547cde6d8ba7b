// web/shell.js — the page logic of web/shell.html: checks WebAssembly and WebGL2 before anything
// runs, shows the loading progress (wasm + data download), shows a readable error with a Reload
// button when something fails (no WebGL2, the wasm aborts, a C++ exception escapes), and passes the
// app's announcements to the aria-live region. Defines the Emscripten `Module` before index.js loads.
'use strict';
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var failed = false;

  function showError(message) {
    if (failed) return;
    failed = true;
    byId('error-text').textContent = message;
    byId('error').hidden = false;
    byId('loading').hidden = true;
    document.body.classList.add('failed');
    document.title = 'Error — ' + document.title;
    byId('reload').focus();
  }

  function webgl2Available() {
    try {
      return !!(window.WebGL2RenderingContext && document.createElement('canvas').getContext('webgl2'));
    } catch (e) {
      return false;
    }
  }

  var problem = null;
  if (typeof WebAssembly !== 'object') {
    problem = 'This browser cannot run WebAssembly, which this page needs. Please use a current ' +
              'version of Firefox, Chrome, Edge or Safari.';
  } else if (!webgl2Available()) {
    problem = 'This page needs WebGL2, which is not available in this browser. Check that hardware ' +
              'acceleration is enabled in the browser settings, or try another browser.';
  }

  var canvas = byId('canvas');
  canvas.addEventListener('contextmenu', function (e) { e.preventDefault(); });
  canvas.addEventListener('webglcontextlost', function (e) {
    e.preventDefault();
    showError('The graphics context was lost (the GPU was reset or is out of memory). Reload to start again.');
  });
  byId('reload').addEventListener('click', function () { window.location.reload(); });

  function setProgress(done, total, text) {
    var bar = byId('progress');
    if (total > 0) {
      bar.max = total;
      bar.value = done;
    } else {
      bar.removeAttribute('value');  // indeterminate
    }
    byId('loading-text').textContent = text;
  }

  window.Module = {
    canvas: canvas,
    noInitialRun: problem !== null,  // the checks failed: do not start the app
    print: function (text) { console.log(text); },
    printErr: function (text) { console.warn(text); },
    // Emscripten reports "Downloading data... (loaded/total)" while fetching index.data.
    setStatus: function (text) {
      if (failed || !text) return;
      var m = text.match(/\((\d+(?:\.\d+)?)\/(\d+)\)/);
      if (m) {
        var mb = function (n) { return (n / 1048576).toFixed(1); };
        setProgress(+m[1], +m[2], 'Loading data… ' + mb(+m[1]) + ' of ' + mb(+m[2]) + ' MB');
      } else {
        setProgress(0, 0, text.replace(/\.\.\./g, '…'));
      }
    },
    onAbort: function (what) {
      showError('The app stopped unexpectedly.\n\n' + what);
    },
    // Called from main_web.cpp.
    lenetFatal: showError,
    lenetReady: function () {
      // ms from navigation start to the first rendered frame (window.lenet.state().first_frame_ms)
      Module.lenetFirstFrameMs = performance.now();
      document.body.classList.add('ready');
      canvas.focus();
    },
    lenetAnnounce: function (text) {
      byId('live').textContent = text;
    },
  };

  // A C++ exception or JS error that escapes the app, or a failed download of index.wasm (an
  // unhandled promise rejection in Emscripten's loader), would otherwise leave a frozen page.
  window.addEventListener('error', function (e) {
    showError('The app stopped unexpectedly.\n\n' + (e.message || e.error || 'unknown error'));
  });
  window.addEventListener('unhandledrejection', function (e) {
    var why = String((e.reason && e.reason.message) || e.reason || 'unknown error');
    if (/fetch|network|load/i.test(why)) {
      showError('The app\'s files could not be downloaded (' + why + '). Check the connection to the ' +
                'server, then reload.');
    } else {
      showError('The app stopped unexpectedly.\n\n' + why);
    }
  });

  if (problem) showError(problem);
})();
