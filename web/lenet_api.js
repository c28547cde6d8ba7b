// web/lenet_api.js — window.lenet, the page's JavaScript API for tests and embedding pages.
// Appended to index.js with --post-js, so it comes with the app whatever HTML page loads it.
//
//   lenet.state()       -> {ready, version, platform, frames, fps, width, height, error, first_frame_ms,
//                          app: {...}}
//                          (see platform_state_json in web/platform.h). Before the app runs:
//                          {ready: false, loading: true, error: null}; after a failure, error says why.
//                          Always: assets = the data loader's progress (web/assets.js summary():
//                          loaded_bytes, total_bytes, loading, failed, errors, streaming, offline_ready).
//   lenet.command(obj)  -> the app's reply to a command object, e.g.
//                          lenet.command({cmd: 'select_preset', name: 'lenet5'}) -> {ok: true, ...};
//                          failures give {ok: false, error: '...'}.
//   lenet.setSample(i), lenet.selectLayer(nameOrIndex), lenet.setInput(Float32Array(784) in [0,1]):
//                          shortcuts for the app's commands (web/app_api.cpp).
//   lenet.train({optimizer, lr, batch, schedule, steps, reset, ...}) -> the `train` command's reply:
//                          start or continue live training (every option may be left out; see
//                          web/app_train_api.cpp); lenet.pause() pauses it.
//   lenet.loadModel(arrayBuffer, filename) -> {ok, arch, format, file, params, checksum, input_norm}
//                          or {ok: false, error}: a model file's bytes (ONNX, .npz, .lenet) become the
//                          app's network; on error the network is unchanged (web/app_files.h).
//   lenet.bench(arch)   -> {arch, threads, infer_b1_us, infer_batch_per_s, train_mb1_per_s,
//                          train_mb32_per_s} measured in the page (docs/performance.md; blocks a few s).
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
      var assets = Module['lenetAssets'] ? Module['lenetAssets']['summary']() : null;
      if (!running()) return {'ready': false, 'loading': failure === null, 'error': failure, 'assets': assets};
      try {
        var state = JSON.parse(Module['ccall']('lenet_state_json', 'string', [], []));
        // The app's fields (arch, layer, prediction, ...: see web/app_api.cpp) also at the top level;
        // the platform's own fields (ready, version, ...) win on a name clash.
        if (state['app']) {
          for (var key in state['app']) if (!(key in state)) state[key] = state['app'][key];
        }
        // Milliseconds from navigation start to the first rendered frame (set by the shell).
        if (typeof Module['lenetFirstFrameMs'] === 'number') state['first_frame_ms'] = Module['lenetFirstFrameMs'];
        state['assets'] = assets;
        return state;
      } catch (e) {
        return {'ready': false, 'loading': false, 'error': String(e)};
      }
    },
    'command': function (command) {
      if (!running()) return {'ok': false, 'error': failure || 'the app is still loading'};
      var text = typeof command === 'string' ? command : JSON.stringify(command);
      return JSON.parse(Module['ccall']('lenet_command', 'string', ['string'], [text]));
    },
    // Shortcuts for the visualizer's commands (web/app_api.cpp); each returns the command's reply.
    'setSample': function (index) {
      return window['lenet']['command']({'cmd': 'set_sample', 'index': index});
    },
    'selectLayer': function (nameOrIndex) {
      return window['lenet']['command']({'cmd': 'select_layer', 'layer': nameOrIndex});
    },
    'setInput': function (pixels) {  // 784 values in [0, 1], a 28x28 digit, row-major, ink = 1
      return window['lenet']['command']({'cmd': 'set_input', 'pixels': Array.prototype.slice.call(pixels)});
    },
    'train': function (options) {
      var command = {'cmd': 'train'};
      for (var key in options || {}) command[key] = options[key];
      return window['lenet']['command'](command);
    },
    'pause': function () {
      return window['lenet']['command']({'cmd': 'pause'});
    },
    'loadModel': function (buffer, filename) {
      if (!running()) return {'ok': false, 'error': failure || 'the app is still loading'};
      var bytes = new Uint8Array(ArrayBuffer.isView(buffer) ? buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) : buffer);
      var ptr = Module['_malloc'](bytes.length || 1);
      try {
        Module['HEAPU8'].set(bytes, ptr);
        return JSON.parse(Module['ccall']('lenet_load_model', 'string', ['number', 'number', 'string'],
                                          [ptr, bytes.length, String(filename || '')]));
      } finally {
        Module['_free'](ptr);
      }
    },
    'bench': function (arch) {  // the speed figures of `lenet5 bench`, measured in this browser
      if (!running()) return {'error': failure || 'the app is still loading'};
      return JSON.parse(Module['ccall']('lenet_bench_json', 'string', ['string'], [arch || 'lenet5']));
    },
  };
})();
