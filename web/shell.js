// web/shell.js — the page logic of web/shell.html: checks WebAssembly, WebGL2 and gzip support
// before anything runs, shows the loading progress of the first frame's data, then the progress of
// the data that streams in after it (web/assets.js) with a Retry button when a download fails,
// shows a readable error with a Reload button when something fails (no WebGL2, the wasm aborts, a
// C++ exception escapes), passes the app's announcements to the aria-live region, and once the app
// runs registers the service worker (sw.js) and caches the page's own files for offline use. The
// user's model files: a hidden file input for the app's "Open a model file" button, a model file
// dropped anywhere on the page, and downloads of the files the app saves (web/app_files.h).
// Defines the Emscripten `Module` before index.js loads.
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
  } else if (typeof DecompressionStream === 'undefined') {
    problem = 'This browser is too old for this page (it cannot unpack gzip data). Please use a current ' +
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

  var mb = function (n) { return (n / 1048576).toFixed(1); };

  // The loader's progress: before the first frame in the loading panel, then in the status line.
  function assetsChanged() {
    var assets = window.Module.lenetAssets;
    if (failed || !assets) return;
    var s = assets.summary();
    if (!document.body.classList.contains('ready')) {
      setProgress(s.first_loaded, s.first_total, 'Loading… ' + mb(s.first_loaded) + ' of ' + mb(s.first_total) + ' MB');
      return;
    }
    var bar = byId('stream');
    if (s.failed.length) {
      bar.className = 'failed';
      byId('stream-text').textContent = 'Download failed: ' + s.errors[0] + '.';
      byId('stream-progress').hidden = true;
      byId('stream-retry').hidden = false;
      bar.hidden = false;
    } else if (s.streaming) {
      bar.className = '';
      byId('stream-text').textContent = 'Downloading data: ' + mb(s.loaded_bytes) + ' of ' + mb(s.total_bytes) + ' MB';
      byId('stream-progress').hidden = false;
      byId('stream-progress').max = s.total_bytes || 1;
      byId('stream-progress').value = s.loaded_bytes;
      byId('stream-retry').hidden = true;
      bar.hidden = false;
    } else {
      bar.hidden = true;
    }
  }
  byId('stream-retry').addEventListener('click', function () { window.Module.lenetAssets.retry(); });

  // Offline use: the service worker (network first, this release's cache when offline) and the
  // page's own files in that cache; the loader caches index.wasm.gz and the data it fetches.
  function prepareOffline() {
    var assets = window.Module.lenetAssets;
    var name = assets && assets.cacheName();
    if (!name || !('serviceWorker' in navigator) || typeof caches === 'undefined') return;
    caches.open(name).then(function (c) {
      return c.addAll(['./', 'index.html', 'index.js', 'shell.js', 'shell.css']);
    }).then(function () { assets.setOffline('page'); }, function (e) { console.warn('offline copy: ' + e); });
    // Offline-ready once the worker is activated (its activate step has removed older releases' caches).
    navigator.serviceWorker.register('sw.js').then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var worker = registration.active;
      if (worker.state === 'activated') return;
      return new Promise(function (resolve) {
        worker.addEventListener('statechange', function () { if (worker.state === 'activated') resolve(); });
      });
    }).then(function () { assets.setOffline('worker'); }, function (e) { console.warn('service worker: ' + e); });
  }

  // The user's model files: the picked or dropped file goes to window.lenet.loadModel; what the app
  // saves arrives as bytes and is offered as a download.
  var picker = byId('model-file');
  function loadFile(file) {
    if (!file || !window.lenet) return;
    file.arrayBuffer().then(function (buffer) {
      window.lenet.loadModel(buffer, file.name);
    }, function (e) {
      window.lenet.command({cmd: 'model_file_error', file: file.name, error: String(e)});
    });
  }
  picker.addEventListener('change', function () {
    loadFile(picker.files[0]);
    picker.value = '';  // the same file again is a change too
  });
  var dragDepth = 0;
  function hasFiles(e) { return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, 'Files') >= 0; }
  window.addEventListener('dragenter', function (e) {
    if (!hasFiles(e)) return;
    dragDepth++;
    document.body.classList.add('dropping');
  });
  window.addEventListener('dragleave', function () {
    if (--dragDepth <= 0) { dragDepth = 0; document.body.classList.remove('dropping'); }
  });
  window.addEventListener('dragover', function (e) { if (hasFiles(e)) e.preventDefault(); });
  window.addEventListener('drop', function (e) {
    dragDepth = 0;
    document.body.classList.remove('dropping');
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (document.body.classList.contains('ready')) loadFile(e.dataTransfer.files[0]);
  });

  window.Module = {
    canvas: canvas,
    // The app's code, fetched while index.js downloads (web/assets.js unpacks and compiles it).
    lenetWasmFetch: problem === null ? fetch('index.wasm.gz', {cache: 'no-cache'}) : null,
    noInitialRun: problem !== null,  // the checks failed: do not start the app
    print: function (text) { console.log(text); },
    printErr: function (text) { console.warn(text); },
    lenetAssetsChanged: assetsChanged,
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
      var assets = window.Module.lenetAssets;
      if (assets) {
        assets.startBackground();
        assetsChanged();
        prepareOffline();
      }
    },
    lenetAnnounce: function (text) {
      byId('live').textContent = text;
    },
    lenetPickModelFile: function () { picker.click(); },
    lenetDownload: function (name, bytes) {
      var url = URL.createObjectURL(new Blob([bytes], {type: 'application/octet-stream'}));
      var a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
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
