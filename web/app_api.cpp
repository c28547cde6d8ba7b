// web/app_api.cpp — the app's JSON interface (web/platform.h): app_state_json() and app_command(),
// behind window.lenet.state() and window.lenet.command() (web/lenet_api.js) and the desktop's
// --print-state. Tests read and drive the app through it, so field and command names stay stable.
//
// app_state_json() fields (window.lenet.state() also copies them to its top level):
//   ready-independent:  arch, preset (= arch), arch_name (spec name), layers (view names, INPUT first),
//   layer (current view name), layer_index, computed (layers run on the step-through workspace),
//   steps_run (forward_layer calls so far), sample, label (true label of the test digit, null when
//   drawn), prediction, prediction_name, scores (softmax probabilities, or RBF distances when
//   scores_are_distances), input_source ("draw"|"test"), draw_pad {x,y,w,h} (CSS pixels, null when
//   not shown), prediction_rect {x,y,w,h} (the input panel's predicted class), strip_captions
//   [{text, text_w, col_w, right, limit}] (the preprocessing strip's captions as drawn: text and
//   column width, right edge and the panel's edge, CSS pixels), dataset,
//   class_names, weights (file name, "" = untrained), trained (a shipped file), weights_status
//   ("shipped", "loaded", "trained here", "untrained": what the labels say), playing, show_pre,
//   unit ({map,y,x} or null), hash, notices, layer_info {name,type,in,out,params,connections,macs},
//   params, connections, macs (network totals), test_digits, data_error, shader (true when the
//   colormap shader is in use), trace (for the selected unit: {a (recomputed term by term), engine_a,
//   engine_out, terms, groups, matches}, else null), stacked (phone layout), frame_ms, frame_ms_max, app_ms, app_ms_max,
//   app_ms_last (the latest frame's), interact_frame_ms_max, interact_app_ms_max, interact_frames,
//   interact_slow_frames (interactive frames whose app time was >= 16 ms), the training fields (mode,
//   training, samples_seen, train_loss, test_error, ...: app_train_api.cpp), test_full (the whole
//   test set is in, not only its
//   first slice), waiting (what the app waits for: a data set, weights or a link; "" = nothing),
//   searching + search_message (the "next misclassified" search and what it says), eval (the
//   Evaluate window's report: app_eval.h); mode, train_steps, backward, and layer/layer_index past
//   OUTPUT (app_backward_api.cpp); model_file (the user's model files: app_files.h).
//   The page adds `assets`, the loader's progress (web/lenet_api.js).
// app_command() commands ({"cmd": name, ...}; reply {"ok": true, ...} or {"ok": false, "error"}; a
// string argument with a control character is refused, and errors show the caller's text escaped):
//   select_preset/select_arch {name}, set_dataset {name}, set_weights {file ("" = untrained)},
//   set_sample {index}, select_layer {layer: name or index}, step {delta}, run_to_output,
//   play {on}, set_input {pixels: [784 numbers in 0..1]}, clear_pad, select_unit {map, y, x},
//   show_pre {on}, show_summary {on}, apply_hash {hash}, next_misclassified [{on}] (searches over the next frames; on: false stops it),
//   train, pause, train_retry, evaluate_held_out (live training: app_train_api.cpp), retry_downloads (fetch the data files that failed
//   again), state, theme (reply {ok, pairs: [{what, fg, bg}]}: every text colour with the backgrounds
//   under it, bottom first, as [r, g, b, a] in 0..1: app_theme.cpp), debug_sleep {ms} (every frame
//   then takes at least ms, 0..2000: a slow device, for tests; 0 = off), evaluate and eval_cell
//   {true, predicted} (the Evaluate window, app_eval.cpp); backward, gradient and the training steps'
//   names for select_layer (app_backward_api.cpp); trace_backward and state().backward_trace
//   (app_btrace.cpp); load_model, save_model, set_input_norm, show_files (app_files.h).
//   transform {dx, dy, scale, rotate, shear, thickness, noise, seed} and top_digits {layer, map, y, x,
//   count, subset} (the Lab: app_lab.cpp, state().lab).
#include "app.h"
#include "printable.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

std::string app_state_json(const AppState& app) {
    using nlohmann::json;
    json layers = json::array();
    for (int i = 0; i < view_count(app); ++i) layers.push_back(view_name(app, i));
    json scores = json::array();
    for (float s : app.prediction.scores) scores.push_back(s);
    const bool test = app.source == InputSource::Test;
    json pad = nullptr;
    if (app.pad.size.x > 0) pad = {{"x", app.pad.pos.x}, {"y", app.pad.pos.y}, {"w", app.pad.size.x}, {"h", app.pad.size.y}};
    json captions = json::array();
    for (const AppState::Caption& c : app.strip_captions)
        captions.push_back({{"text", c.text}, {"text_w", c.text_w}, {"col_w", c.col_w}, {"right", c.right}, {"limit", c.limit}});
    json unit = nullptr;
    if (app.unit_map >= 0) unit = {{"map", app.unit_map}, {"y", app.unit_y}, {"x", app.unit_x}};
    json info = {{"name", "INPUT"}, {"type", "input"}, {"in", lenet::shape_str(app.net->input_shape())},
                 {"out", lenet::shape_str(app.net->input_shape())}, {"params", 0}, {"connections", 0}, {"macs", 0}};
    if (app.view > 0) {
        const lenet::LayerInfo& L = app.net->layers()[size_t(app.view - 1)];
        info = {{"name", L.name}, {"type", lenet::layer_type_name(L.type)}, {"in", lenet::shape_str(L.in)},
                {"out", lenet::shape_str(L.out)}, {"params", L.params}, {"connections", L.connections}, {"macs", L.macs}};
    }
    json trace = nullptr;
    const Trace tr = trace_unit(app);
    if (tr.valid)
        trace = {{"a", tr.a}, {"engine_a", tr.engine_a}, {"engine_out", tr.engine_out}, {"terms", tr.terms},
                 {"groups", tr.groups.size()}, {"matches", tr.matches}};
    const lenet::Totals t = app.net->totals();
    json j = {
        {"arch", app.arch},
        {"preset", app.arch},
        {"arch_name", app.net->spec().name},
        {"layers", layers},
        {"layer", view_name(app, app.view)},
        {"layer_index", app.view},
        {"computed", app.ws->layers_done()},
        {"steps_run", app.steps_run},
        {"sample", app.sample},
        {"label", test && app.test.count > 0 ? json(int(app.test.labels[size_t(app.sample)])) : json(nullptr)},
        {"prediction", app.prediction.label},
        {"prediction_name", class_name(app, app.prediction.label)},
        {"scores", scores},
        {"scores_are_distances", penalty_output(app)},
        {"input_source", test ? "test" : "draw"},
        {"draw_pad", pad},
        {"strip_captions", captions},
        {"prediction_rect", {{"x", app.prediction_rect.min.x}, {"y", app.prediction_rect.min.y},
                             {"w", app.prediction_rect.max.x - app.prediction_rect.min.x},
                             {"h", app.prediction_rect.max.y - app.prediction_rect.min.y}}},
        {"pad_strokes", app.pad.strokes},
        {"dataset", app.dataset},
        {"class_names", app.class_names},
        {"weights", app.weights},
        {"trained", !app.weights.empty()},
        {"weights_status", weights_status(app) == WeightsStatus::Shipped       ? "shipped"
                           : weights_status(app) == WeightsStatus::Loaded      ? "loaded"
                           : weights_status(app) == WeightsStatus::TrainedHere ? "trained here"
                                                                               : "untrained"},
        {"playing", app.playing},
        {"show_pre", app.show_pre},
        {"show_summary", app.show_summary},
        {"unit", unit},
        {"trace", trace},
        {"hash", app.hash},
        {"notices", app.notices},
        {"layer_info", info},
        {"params", t.params},
        {"connections", t.connections},
        {"macs", t.macs},
        {"test_digits", app.test.count},
        {"data_error", app.data_error},
        {"test_full", app.test_full},
        {"waiting", app.waiting},
        {"searching", app.scanning},
        {"search_message", app.scan_message},
        {"shader", app.gl.program != 0},
        {"stacked", app.stacked},
        {"frame_ms", app.stats.frame_ms},
        {"frame_ms_max", app.stats.frame_ms_max},
        {"app_ms", app.stats.app_ms},
        {"app_ms_max", app.stats.app_ms_max},
        {"app_ms_last", app.stats.app_hist.empty() ? 0.0 : double(app.stats.app_hist.back())},
        {"interact_frame_ms_max", app.stats.interact_frame_ms_max},
        {"interact_app_ms_max", app.stats.interact_app_ms_max},
        {"interact_frames", app.stats.interact_frames},
        {"interact_slow_frames", app.stats.interact_slow_frames},
    };
    backward_state_json(app, j);  // mode, the training steps (app_backward_api.cpp)
    btrace_state_json(app, j);    // backward_trace: the traced unit of a backward step (app_btrace.cpp)
    train_state_json(app, j);     // after it: mode is "train" while training runs or waits for its data
    eval_state_json(app, j);
    files_state_json(app, j);
    lab_state_json(app, j);
    return j.dump();
}

std::string app_command(AppState& app, const std::string& text) {
    using nlohmann::json;
    json cmd = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string())
        return R"({"ok":false,"error":"expected a JSON object {\"cmd\": \"...\"}"})";
    const std::string name = cmd["cmd"];
    auto fail = [](const std::string& e) { return json({{"ok", false}, {"error", e}}).dump(); };
    // Every message that echoes the caller's text shows it through printable(): a NUL or another
    // control character would cut a C string short or garble the message. No name (preset, file,
    // data set, layer, hash) contains one, so an argument that does is refused before it is used.
    using lenet_web::printable;
    for (const auto& [key, value] : cmd.items())
        if (value.is_string() && lenet_web::has_control_chars(value.get<std::string>()))
            return fail(printable(name) + ": \"" + printable(key) + "\" has a control character: '" +
                        printable(value.get<std::string>()) + "'");
    auto ok = [&]() { return json({{"ok", true}, {"layer", step_name(app, step_index(app))}, {"layer_index", step_index(app)},
                                   {"prediction", app.prediction.label}, {"preset", app.arch}}).dump(); };
    auto str = [&](const char* key, std::string& out) {
        if (!cmd.contains(key) || !cmd[key].is_string()) return false;
        out = cmd[key].get<std::string>();
        return true;
    };
    auto integer = [&](const char* key, int& out) {
        if (!cmd.contains(key) || !cmd[key].is_number_integer()) return false;
        const long long v = cmd[key].get<long long>();
        if (v < -1000000000LL || v > 1000000000LL) return false;
        out = int(v);
        return true;
    };
    std::string s;
    if (train_command(app, cmd, s)) return s;  // train, pause, ...: app_train_api.cpp
    if (backward_command(app, cmd, s)) return s;  // backward, gradient, the training steps (app_backward_api.cpp)
    if (btrace_command(app, cmd, s)) return s;    // trace_backward (app_btrace.cpp)
    int i = 0;
    if (eval_command(app, cmd, s)) return s;
    if (files_command(app, cmd, s)) return s;  // load_model, save_model, set_input_norm (app_files.cpp)
    if (lab_command(app, cmd, s)) return s;  // transform, top_digits (app_lab.cpp)
    if (name == "select_preset" || name == "select_arch") {
        if (!str("name", s)) return fail(name + " needs \"name\"");
        select_arch(app, s);  // throws lenet::Error for an unknown preset or a bad spec
        return ok();
    }
    if (name == "retry_downloads") {
        platform_asset_retry();
        return ok();
    }
    if (name == "set_dataset") {
        if (!str("name", s)) return fail("set_dataset needs \"name\" (mnist or fashion)");
        select_dataset(app, s);
        return ok();
    }
    if (name == "set_weights") {
        if (!str("file", s)) return fail("set_weights needs \"file\" (\"\" = untrained)");
        select_weights(app, s);
        return ok();
    }
    if (name == "set_sample") {
        if (!integer("index", i)) return fail("set_sample needs an integer \"index\"");
        set_sample(app, i);
        return ok();
    }
    if (name == "select_layer") {
        if (!cmd.contains("layer")) return fail("select_layer needs \"layer\" (a name or an index)");
        int v = -1;
        if (cmd["layer"].is_number_integer()) {
            const long long k = cmd["layer"].get<long long>();
            if (k >= 0 && k < view_count(app)) v = int(k);
        } else if (cmd["layer"].is_string()) {
            for (int k = 0; k < view_count(app); ++k)
                if (view_name(app, k) == cmd["layer"].get<std::string>()) v = k;
        }
        if (v < 0) {
            const std::string asked = cmd["layer"].is_string() ? cmd["layer"].get<std::string>() : cmd["layer"].dump();
            return fail("no layer '" + printable(asked) + "' in " + app.net->spec().name);
        }
        set_view(app, v);
        return ok();
    }
    if (name == "step") {
        if (!integer("delta", i)) i = 1;
        step_view(app, i);
        return ok();
    }
    if (name == "run_to_output") {
        run_to_output(app);
        return ok();
    }
    if (name == "play") {
        app.playing = !cmd.contains("on") || cmd["on"] == true;
        app.play_clock = 0.0;
        return ok();
    }
    if (name == "set_input") {
        if (!cmd.contains("pixels") || !cmd["pixels"].is_array()) return fail("set_input needs \"pixels\": 784 numbers");
        std::vector<float> px;
        for (const json& v : cmd["pixels"]) {
            if (!v.is_number()) return fail("set_input: every pixel must be a number in 0..1");
            px.push_back(v.get<float>());  // set_input_pixels refuses values outside 0..1
            if (px.size() > 784) break;
        }
        set_input_pixels(app, px, 28, 28);
        return ok();
    }
    if (name == "clear_pad") {
        clear_pad(app);
        return ok();
    }
    if (name == "select_unit") {
        int m = 0, y = 0, x = 0;
        if (!integer("map", m)) return fail("select_unit needs \"map\" (and \"y\", \"x\" for a map unit)");
        integer("y", y);
        integer("x", x);
        const lenet::Shape sh = view_shape(app, app.view);
        if (app.view == 0 || m < 0 || m >= sh.c || y < 0 || y >= sh.h || x < 0 || x >= sh.w)
            return fail("no unit (" + std::to_string(m) + "," + std::to_string(y) + "," + std::to_string(x) + ") in " +
                        view_name(app, app.view) + " " + lenet::shape_str(sh));
        app.unit_map = m;
        app.unit_y = y;
        app.unit_x = x;
        return ok();
    }
    if (name == "next_misclassified") {  // the search runs a few milliseconds per frame; {on: false} stops it
        if (cmd.contains("on") && !cmd["on"].is_boolean()) return fail("'on' must be true or false");
        if (cmd.contains("on") && !cmd["on"].get<bool>()) {
            app.scanning = false;
            app.scan_message.clear();
            return ok();
        }
        if (app.test.count <= 0) return fail("no test set is loaded");
        app.scanning = true;
        app.scan_next = app.sample;
        app.scan_message.clear();
        return ok();
    }
    if (name == "show_summary") {
        app.show_summary = !cmd.contains("on") || cmd["on"] == true;
        return ok();
    }
    if (name == "show_pre") {
        app.show_pre = !cmd.contains("on") || cmd["on"] == true;
        return ok();
    }
    if (name == "apply_hash") {
        if (!str("hash", s)) return fail("apply_hash needs \"hash\"");
        const size_t before = app.notices.size();
        apply_hash(app, s);
        app.hash = make_hash(app);
        json notes = json::array();
        for (size_t k = before; k < app.notices.size(); ++k) notes.push_back(app.notices[k]);
        return json({{"ok", true}, {"hash", app.hash}, {"notices", notes}}).dump();
    }
    if (name == "debug_sleep") {
        if (!integer("ms", i) || i < 0 || i > 2000) return fail("debug_sleep needs \"ms\": an integer in 0..2000");
        app.debug_sleep_ms = i;
        return ok();
    }
    if (name == "theme") return json({{"ok", true}, {"pairs", json::parse(theme_json())}}).dump();
    if (name == "state") return app_state_json(app);
    return fail("unknown command '" + printable(name) + "'");
}
