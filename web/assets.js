// web/assets.js — the page's loader of index.wasm and the app's data (put ahead of index.js with
// --pre-js). The files are gzipped at build time (cmake/lenet_site.py) and unpacked here with the
// browser's DecompressionStream, so no host needs to compress anything. Module.lenetAssetManifest
// (generated, cmake/LenetAssets.cmake) lists every data file with when to load it:
//   first       before main() runs (run dependencies): what the first frame needs, fetched while
//               index.wasm.gz downloads and compiles;
//   background  one after another once the first frame is up (Module.lenetAssets.startBackground);
//   on_demand   when the app asks (platform_asset_request, web/assets_web.cpp); a request before
//               the first frame (a deep link) waits for it, so the first frame gets the whole line.
// Each arrives in the in-memory file system at /assets/<path>; the app polls Module.lenetAssets.status.
// A failed fetch is kept as "failed" with its reason until retry(). Files that arrive are also put in
// the page's cache of this release (the service worker, web/sw.js, serves them from there offline).
//
// Module.lenetAssets: status(path) -> {state: 'ready'|'loading'|'failed'|'absent', progress, error},
// files(dir), request(path), retry(), reload(path) (fetch it again: it arrived damaged), summary()
// (window.lenet.state().assets), startBackground().
(function () {
  'use strict';
  var CACHE_PREFIX = 'lenet5-explorer-';
  var files = {};        // path -> {path, bytes, gz_bytes, load, arch, state, loaded, error, waiters}
  var order = [];        // manifest order
  var listeners = [];    // called when anything changes (the shell's status line)
  var backgroundOn = false;
  var memoryUp = false;  // the wasm memory exists: files can go into the file system
  var cacheWrites = 0;   // cache.put calls not finished yet
  var offline = {'page': false, 'worker': false};  // the page's own files cached; the service worker active

  function release() {
    var r = document.documentElement && document.documentElement.getAttribute('data-release');
    return r || null;
  }
  function cacheName() { return CACHE_PREFIX + release(); }

  // The app cannot start: the page's error panel (web/shell.js) and window.lenet.state().error.
  function fatal(why) {
    if (Module['lenetFatal']) Module['lenetFatal'](why);
    if (Module['onAbort']) Module['onAbort'](why);
  }

  function changed() {
    for (var i = 0; i < listeners.length; i++) listeners[i]();
    if (Module['lenetAssetsChanged']) Module['lenetAssetsChanged']();  // the page's progress (web/shell.js)
  }

  // Puts a copy of what was fetched in this release's cache (best effort: no cache, no harm).
  function remember(url, response) {
    if (!release() || typeof caches === 'undefined') return Promise.resolve();
    cacheWrites++;
    var done = function () { cacheWrites--; changed(); };
    return caches.open(cacheName()).then(function (c) { return c.put(url, response); }).then(done, done);
  }

  // A macrotask boundary the page can draw a frame at. Not setTimeout: a hidden tab throttles that
  // to once a second (and further after minutes), and the data would take an hour to unpack.
  var yieldChannel = new MessageChannel();
  var yieldWaiters = [];
  yieldChannel.port1.onmessage = function () { var go = yieldWaiters.shift(); if (go) go(); };
  function nextTask() {
    return new Promise(function (go) { yieldWaiters.push(go); yieldChannel.port2.postMessage(0); });
  }

  // Reads a stream to one ArrayBuffer in slices of at most ~8 ms, yielding between them: the browser
  // gunzips as the stream is read, and MNIST's training set (47 MB unpacked) read in one go would
  // freeze the page for most of a second. size: the expected length (the manifest's), so the bytes
  // are copied once, as they come, into a buffer of that size.
  function readPaced(stream, size) {
    var reader = stream.getReader();
    var out = new Uint8Array(size > 0 ? size : 1 << 16);
    var total = 0;
    var sliceStart = performance.now();
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) return total === out.length ? out.buffer : out.slice(0, total).buffer;
        if (total + r.value.byteLength > out.length) {  // more than expected: grow
          var bigger = new Uint8Array(Math.max(2 * out.length, total + r.value.byteLength));
          bigger.set(out.subarray(0, total));
          out = bigger;
        }
        out.set(r.value, total);
        total += r.value.byteLength;
        if (performance.now() - sliceStart < 8) return pump();
        return nextTask().then(function () { sliceStart = performance.now(); return pump(); });
      });
    }
    return pump();
  }

  // fetch + gunzip; onBytes(n) as compressed bytes arrive. Resolves to an ArrayBuffer. started: the
  // same fetch already under way (web/shell.js starts index.wasm.gz before index.js arrives). paced:
  // unpack in slices between frames (data files that arrive while the app runs), into size bytes.
  function fetchGz(url, onBytes, started, paced, size) {
    if (typeof DecompressionStream === 'undefined')
      return Promise.reject(new Error('this browser has no DecompressionStream (gzip); please update it'));
    return (started || fetch(url, {'cache': 'no-cache'})).then(function (response) {
      if (!response.ok) throw new Error('the server answered ' + response.status + ' ' + response.statusText);
      remember(url, response.clone());
      var counter = new TransformStream({
        'transform': function (chunk, out) { onBytes(chunk.byteLength); out.enqueue(chunk); },
      });
      var unpacked = response.body.pipeThrough(counter).pipeThrough(new DecompressionStream('gzip'));
      return paced ? readPaced(unpacked, size) : new Response(unpacked).arrayBuffer();
    });
  }

  function load(f) {
    if (f.state === 'ready' || f.state === 'loading') return f.promise;
    f.state = 'loading';
    f.loaded = 0;
    f.error = '';
    changed();
    var url = 'assets/' + f['path'] + '.gz';
    f.promise = fetchGz(url, function (n) { f.loaded += n; changed(); }, null, f['load'] !== 'first', f['bytes']).then(function (buffer) {
      f.data = new Uint8Array(buffer);
      f.loaded = f['gz_bytes'];
      if (memoryUp) store(f);
    }, function (e) {
      f.state = 'failed';
      f.error = 'could not download ' + url + ': ' + ((e && e.message) || e);
      changed();
      throw e;
    });
    return f.promise;
  }

  // Into the in-memory file system, where the app opens it; from then on it is 'ready'.
  function store(f) {
    var slash = f['path'].lastIndexOf('/');
    if (slash > 0) FS.mkdirTree('/assets/' + f['path'].slice(0, slash));
    FS.writeFile('/assets/' + f['path'], f.data, {canOwn: true});  // no copy: the file system keeps f.data
    f.data = null;
    f.state = 'ready';
    changed();
    if (f['load'] === 'first') removeRunDependency('asset ' + f['path']);
  }

  // Background files one after another (they share the connection with nothing else by then).
  function nextBackground() {
    for (var i = 0; i < order.length; i++) {
      var f = order[i];
      if (f['load'] === 'background' && f.state === 'idle') {
        load(f).then(nextBackground, nextBackground);
        return;
      }
    }
  }

  var api = {
    'status': function (path) {
      var f = files[path];
      if (!f) return {'state': 'absent', 'progress': 0, 'error': ''};
      return {'state': f.state === 'idle' ? 'loading' : f.state, 'progress': f['gz_bytes'] ? f.loaded / f['gz_bytes'] : 0,
              'error': f.error};
    },
    'files': function (dir) {
      var prefix = dir.replace(/\/$/, '') + '/', out = [];
      for (var i = 0; i < order.length; i++)
        if (order[i]['path'].indexOf(prefix) === 0 && order[i]['path'].indexOf('/', prefix.length) < 0)
          out.push({'path': order[i]['path'], 'arch': order[i]['arch'] || ''});
      return out;
    },
    'request': function (path) {
      var f = files[path];
      if (!f || f.state !== 'idle') return;
      if (backgroundOn) load(f).catch(function () {});
      else f.wanted = true;
    },
    'retry': function () {
      var again = false;
      for (var i = 0; i < order.length; i++)
        if (order[i].state === 'failed') { order[i].state = 'idle'; again = true; }
      if (!again) return;
      for (var j = 0; j < order.length; j++)
        if (order[j].state === 'idle' && (order[j]['load'] !== 'background' || !backgroundOn)) load(order[j]).catch(function () {});
      if (backgroundOn) nextBackground();
    },
    'reload': function (path) {
      var f = files[path];
      if (!f || f.state === 'loading' || f.state === 'idle') return;
      if (f.state === 'ready') FS.unlink('/assets/' + f['path']);
      f.state = 'idle';
      if (backgroundOn) load(f).catch(function () {});
      else f.wanted = true;
    },
    'startBackground': function () {
      if (backgroundOn) return;
      backgroundOn = true;
      for (var i = 0; i < order.length; i++)
        if (order[i].wanted && order[i].state === 'idle') load(order[i]).catch(function () {});
      nextBackground();
    },
    // For window.lenet.state().assets: bytes so far, what is still coming, what failed.
    'summary': function () {
      var s = {'loaded_bytes': 0, 'total_bytes': 0, 'first_loaded': 0, 'first_total': 0, 'loading': [], 'failed': [], 'errors': [],
               'release': release()};
      for (var i = 0; i < order.length; i++) {
        var f = order[i];
        if (f['load'] === 'first') { s['first_total'] += f['gz_bytes']; s['first_loaded'] += f.loaded; }
        if (f['load'] === 'on_demand' && f.state === 'idle') continue;
        s['total_bytes'] += f['gz_bytes'];
        s['loaded_bytes'] += f.loaded;
        if (f.state === 'loading' || f.state === 'idle') s['loading'].push(f['path']);
        if (f.state === 'failed') { s['failed'].push(f['path']); s['errors'].push(f.error); }
      }
      s['streaming'] = s['loading'].length > 0;
      // Everything fetched so far is in the cache and the service worker serves it: works offline.
      s['offline_ready'] = offline['page'] && offline['worker'] && cacheWrites === 0 && !s['streaming'];
      return s;
    },
    'onChange': function (fn) { listeners.push(fn); },
    'remember': remember,
    'setOffline': function (what) { offline[what] = true; changed(); },
    'cacheName': function () { return release() ? cacheName() : null; },
    'fetchGz': fetchGz,
  };
  Module['lenetAssets'] = api;

  // index.wasm.gz instead of index.wasm: a third of the bytes on a host that does not compress.
  Module['instantiateWasm'] = function (imports, receiveInstance) {
    fetchGz('index.wasm.gz', function () {}, Module['lenetWasmFetch']).then(function (bytes) {
      return WebAssembly.instantiate(bytes, imports);
    }).then(function (result) {
      receiveInstance(result['instance'], result['module']);
      // main() runs once the first frame's files are in the file system (their run dependencies).
      memoryUp = true;
      FS.mkdirTree('/assets');
      for (var i = 0; i < order.length; i++) if (order[i].data) store(order[i]);
    }, function (e) {
      var why = 'The app could not be downloaded (index.wasm.gz: ' + ((e && e.message) || e) + '). Check the ' +
                'connection to the server, then reload.';
      fatal(why);
    });
    return {};  // the exports arrive through receiveInstance
  };

  // Once index.js has run (the manifest, linked after this file, and FS exist; run() is waiting for
  // the wasm), before anything has arrived: fetch the first frame's files, main() waits for them.
  Promise.resolve().then(function () {
    var manifest = Module['lenetAssetManifest'] || {'files': []};
    for (var i = 0; i < manifest['files'].length; i++) {
      var f = manifest['files'][i];
      f.state = 'idle';
      f.loaded = 0;
      f.error = '';
      files[f['path']] = f;
      order.push(f);
    }
    order.forEach(function (f) {
      if (f['load'] !== 'first') return;
      addRunDependency('asset ' + f['path']);  // removed by store()
      load(f).catch(function (e) {
        fatal('The app\'s data could not be loaded: ' + (f.error || String(e)) + '. Check the connection to the server, then reload.');
      });
    });
  });
})();
