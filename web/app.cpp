// web/app.cpp — LeNet-5 Explorer, the shared app (web and desktop): start-up, the per-frame layout
// (three columns at desktop sizes, one scrolling column on a phone), keyboard shortcuts, playback,
// frame-time statistics, and the JSON interface of web/platform.h.
//
// app_state_json() fields (window.lenet.state() also copies them to its top level):
//   ready-independent:  arch, preset (= arch), arch_name (spec name), layers (view names, INPUT first),
//   layer (current view name), layer_index, computed (layers run on the step-through workspace),
//   steps_run (forward_layer calls so far), sample, label (true label of the test digit, null when
//   drawn), prediction, prediction_name, scores (softmax probabilities, or RBF distances when
//   scores_are_distances), input_source ("draw"|"test"), draw_pad {x,y,w,h} (CSS pixels, null when
//   not shown), dataset, class_names, weights (file name, "" = untrained), trained, playing, show_pre,
//   unit ({map,y,x} or null), hash, notices, layer_info {name,type,in,out,params,connections,macs},
//   params, connections, macs (network totals), test_digits, data_error, shader (true when the
//   colormap shader is in use), trace (for the selected unit: {a (recomputed term by term), engine_a,
//   engine_out, terms, groups, matches}, else null), stacked (phone layout), frame_ms, frame_ms_max, app_ms, app_ms_max,
//   interact_frame_ms_max, interact_app_ms_max, interact_frames, training, train_samples, train_loss,
//   train_error (of the current pass so far).
// app_command() commands ({"cmd": name, ...}; reply {"ok": true, ...} or {"ok": false, "error"}):
//   select_preset/select_arch {name}, set_dataset {name}, set_weights {file ("" = untrained)},
//   set_sample {index}, select_layer {layer: name or index}, step {delta}, run_to_output,
//   play {on}, set_input {pixels: [784 numbers in 0..1]}, clear_pad, select_unit {map, y, x},
//   show_pre {on}, show_summary {on}, apply_hash {hash}, next_misclassified (searches over the next frames),
//   train {on} (live training, see panels/train_panel.cpp), state.
#include "app.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace {

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

void keyboard(AppState& app) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) { app.arrow_frames[0] = app.arrow_frames[1] = 0; return; }
    // Left/Right step once per press and repeat while held, but a repeat needs the key down for at
    // least 3 frames as well as ImGui's repeat delay: when frames are slower than the delay (a busy
    // phone or software GL), one tap would otherwise step twice.
    const ImGuiKey arrows[2] = {ImGuiKey_LeftArrow, ImGuiKey_RightArrow};
    for (int k = 0; k < 2; ++k) {
        const int key = ImGui::GetKeyIndex(arrows[k]);
        int& held = app.arrow_frames[k];
        held = ImGui::IsKeyDown(key) ? held + 1 : 0;
        if (held == 1 || (held >= 3 && ImGui::IsKeyPressed(key, true))) step_view(app, k == 0 ? -1 : +1);
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) set_view(app, 0);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) run_to_output(app);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
        app.playing = !app.playing;
        if (app.playing && app.view == view_count(app) - 1) set_view(app, 0);
        app.play_clock = 0.0;
    }
}

void playback(AppState& app, float dt) {
    if (!app.playing) return;
    app.play_clock += dt;
    if (app.play_clock >= app.play_interval) {
        app.play_clock = 0.0;
        step_view(app, +1);
        if (app.view >= view_count(app) - 1) app.playing = false;
    }
}

void draw_notices(AppState& app) {
    for (size_t i = 0; i < app.notices.size();) {
        ImGui::PushID(int(i));
        bool close = ImGui::SmallButton("x");
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.35f, 1.0f), "%s", app.notices[i].c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopID();
        if (close) app.notices.erase(app.notices.begin() + long(i));
        else ++i;
    }
}

// One scrolling column (phone): every panel one after the other. Touch has no wheel, so a drag on
// the window background scrolls it.
void layout_stacked(AppState& app) {
    draw_top_panel(app);
    draw_notices(app);
    draw_strip_panel(app);
    ImGui::Separator();
    draw_input_panel(app);
    ImGui::Separator();
    draw_layer_panel(app);
    ImGui::Separator();
    if (app.view == view_count(app) - 1) draw_output_panel(app);
    else draw_activations_panel(app);
    ImGui::Separator();
    if (ImGui::CollapsingHeader("Weights", ImGuiTreeNodeFlags_DefaultOpen)) draw_weights_panel(app);
    if (ImGui::CollapsingHeader("Trace a unit", ImGuiTreeNodeFlags_DefaultOpen)) draw_trace_panel(app);
    if (ImGui::CollapsingHeader("Train")) draw_train_panel(app);
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && ImGui::IsMouseDragging(0) &&
        !ImGui::IsAnyItemActive())
        ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
}

void layout_wide(AppState& app) {
    draw_top_panel(app);
    draw_notices(app);
    draw_strip_panel(app);
    const float avail_w = ImGui::GetContentRegionAvail().x, avail_h = ImGui::GetContentRegionAvail().y;
    const float left_w = std::clamp(avail_w * 0.24f, 250.0f, 330.0f);
    const float right_w = std::clamp(avail_w * 0.32f, 300.0f, 520.0f);
    const float mid_w = std::max(200.0f, avail_w - left_w - right_w - 2 * ImGui::GetStyle().ItemSpacing.x);

    ImGui::BeginChild("##input", ImVec2(left_w, avail_h), true);
    draw_input_panel(app);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##layer", ImVec2(mid_w, avail_h), true);
    draw_layer_panel(app);
    ImGui::Separator();
    if (app.view == view_count(app) - 1) draw_output_panel(app);
    else draw_activations_panel(app);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##details", ImVec2(0, avail_h), true);
    if (ImGui::BeginTabBar("##tabs")) {
        if (ImGui::BeginTabItem("Weights")) {
            draw_weights_panel(app);
            ImGui::EndTabItem();
        }
        ImGuiTabItemFlags trace_flags = app.focus_trace ? ImGuiTabItemFlags_SetSelected : 0;
        app.focus_trace = false;
        if (ImGui::BeginTabItem("Trace a unit", nullptr, trace_flags)) {
            draw_trace_panel(app);
            ImGui::EndTabItem();
        }
        const ImGuiTabItemFlags train_flags = app.focus_train ? ImGuiTabItemFlags_SetSelected : 0;
        app.focus_train = false;
        if (ImGui::BeginTabItem("Train", nullptr, train_flags)) {
            draw_train_panel(app);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::EndChild();
}

void frame_stats(AppState& app, const FrameInfo& frame, double app_ms) {
    const double dt_ms = frame.dt * 1000.0;
    auto push = [](std::vector<float>& h, double v) {
        if (h.size() >= 120) h.erase(h.begin());
        h.push_back(float(v));
    };
    if (frame.frame > 2) {  // the first frames include start-up work
        push(app.frame_hist, dt_ms);
        push(app.app_hist, app_ms);
    }
    double fs = 0, fm = 0, as = 0, am = 0;
    for (float v : app.frame_hist) { fs += v; fm = std::max(fm, double(v)); }
    for (float v : app.app_hist) { as += v; am = std::max(am, double(v)); }
    if (!app.frame_hist.empty()) {
        app.frame_ms = fs / double(app.frame_hist.size());
        app.app_ms = as / double(app.app_hist.size());
    }
    app.frame_ms_max = fm;
    app.app_ms_max = am;
}

// DejaVu Sans from the asset folder (before the first frame: the backend builds the font atlas
// then); ImGui's built-in font if the file is missing.
void load_font(AppState& app) {
    // Read in 64 KB freads (an istreambuf_iterator loop took ~50 ms for 740 KB in wasm).
    std::FILE* f = std::fopen((app.config.asset_dir + "/fonts/ui.ttf").c_str(), "rb");
    if (!f) return;
    char chunk[65536];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0 && app.font_data.size() < (64u << 20))
        app.font_data.insert(app.font_data.end(), chunk, chunk + got);
    std::fclose(f);
    if (app.font_data.size() < 1024) return;
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;  // app.font_data outlives the atlas
    cfg.OversampleH = 2;
    ImGui::GetIO().Fonts->AddFontFromMemoryTTF(app.font_data.data(), int(app.font_data.size()), 15.0f, &cfg);
}

}  // namespace

AppState* app_create(const AppConfig& config) {
    auto app = std::make_unique<AppState>();
    app->config = config;
    app->presets = lenet::arch_preset_names();
    app->pad.ink.assign(size_t(DrawPad::kSize) * DrawPad::kSize, 0.0f);
    load_font(*app);
    gl_init(*app);
    try {
        select_dataset(*app, "mnist");
    } catch (const lenet::Error& e) {
        app->data_error = e.what();  // shown in the input panel; drawing still works
        app->class_names = lenet::class_names("mnist");
        app->source = InputSource::Draw;
    }
    // The shipped weights files, then the network (select_arch picks the matching weights file,
    // or a seeded init shown as "untrained").
    scan_weights(*app);
    select_arch(*app, "lenet5-1998");
    if (app->source == InputSource::Test && app->test.count > 0) set_sample(*app, 0);
    else set_drawn_input(*app);
    if (!config.hash.empty()) apply_hash(*app, config.hash);
    app->hash = make_hash(*app);
    return app.release();
}

void app_destroy(AppState* app) {
    if (!app) return;
    heatmap_free(app->pad.tex);
    for (Heatmap& h : app->tex_steps) heatmap_free(h);
    heatmap_free(app->tex_input);
    heatmap_free(app->tex_act);
    heatmap_free(app->tex_prev);
    heatmap_free(app->tex_weights);
    heatmap_free(app->tex_f6);
    gl_shutdown(*app);
    delete app;
}

void app_frame(AppState& app, const FrameInfo& frame) {
    const double t0 = now_ms();
    app.shader_calls.clear();  // the previous frame has been rendered
    app.interacted = false;
    app.pad.size = ImVec2(0, 0);  // set again if the pad is drawn this frame

    keyboard(app);
    playback(app, frame.dt);
    scan_misclassified(app, 6);
    train_tick(app);

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    app.stacked = vp->Size.x < 900.0f;
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                                   (app.stacked ? 0 : ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    if (ImGui::Begin("LeNet-5 Explorer", nullptr, flags)) {
        if (app.stacked) layout_stacked(app);
        else layout_wide(app);
    }
    ImGui::End();
    ImGui::PopStyleVar();
    if (app.show_summary) draw_summary_panel(app);

    app.hash = make_hash(app);
    const double app_ms = now_ms() - t0;
    frame_stats(app, frame, app_ms);
    if (app.interacted && frame.frame > 2) {
        // dt of this frame covers the previous frame's render + wait; the app's own time is exact.
        app.interact_frames++;
        app.interact_app_ms_max = std::max(app.interact_app_ms_max, app_ms);
        app.interact_frame_ms_max = std::max(app.interact_frame_ms_max, double(frame.dt) * 1000.0);
    }
}

std::string app_state_json(const AppState& app) {
    using nlohmann::json;
    json layers = json::array();
    for (int i = 0; i < view_count(app); ++i) layers.push_back(view_name(app, i));
    json scores = json::array();
    for (float s : app.prediction.scores) scores.push_back(s);
    const bool test = app.source == InputSource::Test;
    json pad = nullptr;
    if (app.pad.size.x > 0) pad = {{"x", app.pad.pos.x}, {"y", app.pad.pos.y}, {"w", app.pad.size.x}, {"h", app.pad.size.y}};
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
        {"pad_strokes", app.pad.strokes},
        {"dataset", app.dataset},
        {"class_names", app.class_names},
        {"weights", app.weights},
        {"trained", !app.weights.empty()},
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
        {"shader", app.gl.program != 0},
        {"stacked", app.stacked},
        {"frame_ms", app.frame_ms},
        {"frame_ms_max", app.frame_ms_max},
        {"app_ms", app.app_ms},
        {"app_ms_max", app.app_ms_max},
        {"interact_frame_ms_max", app.interact_frame_ms_max},
        {"interact_app_ms_max", app.interact_app_ms_max},
        {"interact_frames", app.interact_frames},
        {"training", app.train.running},
        {"train_samples", app.train.last.samples},
        {"train_loss", app.train.last.loss},
        {"train_error", app.train.last.error},
    };
    return j.dump();
}

std::string app_command(AppState& app, const std::string& text) {
    using nlohmann::json;
    json cmd = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string())
        return R"({"ok":false,"error":"expected a JSON object {\"cmd\": \"...\"}"})";
    const std::string name = cmd["cmd"];
    auto fail = [](const std::string& e) { return json({{"ok", false}, {"error", e}}).dump(); };
    auto ok = [&]() { return json({{"ok", true}, {"layer", view_name(app, app.view)}, {"layer_index", app.view},
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
    int i = 0;
    if (name == "select_preset" || name == "select_arch") {
        if (!str("name", s)) return fail(name + " needs \"name\"");
        select_arch(app, s);  // throws lenet::Error for an unknown preset or a bad spec
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
        if (v < 0) return fail("no layer " + cmd["layer"].dump() + " in " + app.net->spec().name);
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
            px.push_back(v.get<float>());
            if (px.size() > 784) break;
        }
        set_input_pixels(app, px, 28, 28);
        return ok();
    }
    if (name == "clear_pad") {
        std::fill(app.pad.ink.begin(), app.pad.ink.end(), 0.0f);
        app.pad.dirty = true;
        app.pad.strokes = 0;
        set_drawn_input(app);
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
    if (name == "train") {  // {on: true|false}: start (or continue) / pause live training
        app.focus_train = true;
        if (cmd.contains("on") && cmd["on"] == false) {
            app.train.running = false;
        } else if (app.train.trainer) {
            app.train.running = true;
        } else {
            train_start(app);  // throws lenet::Error when there is no data
        }
        return ok();
    }
    if (name == "next_misclassified") {  // the search runs a few milliseconds per frame
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
    if (name == "state") return app_state_json(app);
    return fail("unknown command '" + name + "'");
}
