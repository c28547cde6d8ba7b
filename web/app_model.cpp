// web/app_model.cpp — the app's side of the engine: architecture and weights selection, the input
// (test digit, drawing pad, or pixels from JS), and step-through. Stepping calls
// Network::forward_layer once per layer; a second workspace keeps the whole forward pass for the
// prediction. Everything here may throw lenet::Error; callers in the UI turn that into a notice.
#include "app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

// Every weights file shipped in <assets>/weights: which architecture and data set it is for (read
// from the file, or, for one the page has not downloaded yet, from the page's manifest).
void scan_weights(AppState& app) {
    app.weights_files.clear();
    namespace fs = std::filesystem;
    for (const AssetFile& f : platform_asset_files(app.config, "weights")) {
        if (fs::path(f.path).extension() != ".lenet") continue;
        const std::string p = app.config.asset_dir + "/" + f.path;
        try {
            WeightsFile w;
            w.path = p;
            w.file = fs::path(p).filename().string();
            w.arch = platform_asset(app.config, f.path).state == AssetState::Ready ? lenet::load_weights(p).spec().name
                                                                                   : f.arch;
            if (w.arch.empty()) continue;
            w.dataset = w.file.find("fashion") != std::string::npos ? "fashion" : "mnist";
            app.weights_files.push_back(w);
        } catch (const lenet::Error& e) {
            app.notices.push_back(std::string("Skipped a shipped weights file: ") + e.what());
        }
    }
}

namespace {

// The preferred shipped weights for the current architecture and data set: "<arch>.lenet" (or
// "<arch>-fashion.lenet") first, then any other matching file; "" if none.
std::string default_weights(const AppState& app) {
    const std::string name = app.net->spec().name;
    const std::string exact = name + (app.dataset == "fashion" ? "-fashion" : "") + ".lenet";
    std::string any;
    for (const WeightsFile& w : app.weights_files) {
        if (w.arch != name || w.dataset != app.dataset) continue;
        if (w.file == exact) return w.file;
        if (any.empty()) any = w.file;
    }
    return any;
}

// Everything that depends on the input or the weights: the step-through workspace up to the
// current view (one forward_layer per layer), the full pass and the prediction.
void recompute(AppState& app) {
    const lenet::Network& net = *app.net;
    net.set_input(*app.ws, app.input.data());
    for (int i = 0; i < app.view; ++i) {
        net.forward_layer(*app.ws, i);
        app.steps_run++;
    }
    app.prediction = net.predict(*app.full, app.input.data());
    app.version++;
}

void announce_step(AppState& app) {
    std::string text = step_summary(app);
    if (text != app.announced) {
        app.announced = text;
        platform_announce(text);
    }
}

lenet::Activation effective_activation(const AppState& app, int layer) {
    const std::vector<lenet::LayerInfo>& L = app.net->layers();
    for (int i = layer; i >= 0; --i)
        if (L[size_t(i)].activation != lenet::Activation::None || L[size_t(i)].type != lenet::LayerType::Pool)
            return L[size_t(i)].activation;
    return lenet::Activation::None;
}

}  // namespace

int view_count(const AppState& app) { return lenet_web::view_count(*app.net); }
std::string view_name(const AppState& app, int view) { return lenet_web::view_name(*app.net, view); }
lenet::Shape view_shape(const AppState& app, int view) { return lenet_web::view_shape(*app.net, view); }

bool penalty_output(const AppState& app) {
    return app.net->outputs_are_penalties();
}

std::string class_name(const AppState& app, int label) {
    if (label < 0 || label >= int(app.class_names.size())) return std::to_string(label);
    return app.class_names[size_t(label)];
}

void select_weights(AppState& app, const std::string& file) {
    train_end(app);  // new weights: a running training session ends
    app.pending_weights.clear();
    app.files.loaded.clear();
    const WeightsFile* found = nullptr;
    for (const WeightsFile& w : app.weights_files)
        if (w.file == file) found = &w;
    if (found && !weights_arrived(app, *found)) {  // untrained until it arrives (update_data)
        app.pending_weights = file;
        app.net->init(app.seed);
        app.weights.clear();
    } else if (file.empty()) {
        app.net->init(app.seed);
        app.weights.clear();
    } else {
        if (!found) throw lenet::Error(lenet::ErrorKind::Usage, "weights", "no shipped weights file '" + file + "'");
        // Into the selected architecture, tensor by tensor (names and shapes must match).
        lenet::Network loaded = lenet::load_any_weights(found->path, app.arch);
        if (loaded.spec().name != app.net->spec().name || loaded.params().size() != app.net->params().size())
            throw lenet::Error(lenet::ErrorKind::Shape, found->file, "is for architecture '" + found->arch + "'");
        app.net->params() = loaded.params();
        app.weights = file;
    }
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    app.scan_next = app.sample;
    recompute(app);
}

void recompute_all(AppState& app) {
    recompute(app);
}

void prepare_current_input(AppState& app) {
    app.input.assign(size_t(app.net->input_shape().size()), 0.0f);
    if (app.source == InputSource::Test && app.test.count > 0) {
        lenet::prepare_input(app.net->spec(), app.test.image(app.sample), app.test.rows, app.test.cols, app.input.data());
    } else if (!app.pre.mnist28.empty()) {
        lenet::prepare_input(app.net->spec(), app.pre.mnist28.data(), 28, 28, app.input.data());
    } else {
        std::vector<uint8_t> blank(28 * 28, 0);
        lenet::prepare_input(app.net->spec(), blank.data(), 28, 28, app.input.data());
    }
}

void install_network(AppState& app, const lenet::ArchSpec& spec, const std::string& label) {
    auto net = std::make_unique<lenet::Network>(spec);
    if (net->input_shape().c != 1 || net->input_shape().h < 28 || net->input_shape().w < 28)
        throw lenet::Error(lenet::ErrorKind::Spec, label,
                           "the explorer needs a 1-channel input of at least 28x28 (this is " +
                               lenet::shape_str(net->input_shape()) + ")");
    train_end(app);  // it refers to the old network
    leave_backward(app);  // a new network starts at its forward steps
    train_defaults(app, spec);
    app.net     = std::move(net);
    app.arch    = label;
    app.ws      = std::make_unique<lenet::Workspace>(*app.net);
    app.full    = std::make_unique<lenet::Workspace>(*app.net);
    app.scratch = std::make_unique<lenet::Workspace>(*app.net);
    app.view     = std::min(app.view, view_count(app) - 1);
    app.unit_map = -1;
    app.playing  = false;
    app.arch_error.clear();
    app.files.loaded.clear();
    prepare_current_input(app);  // for the new input normalisation
}

void select_arch(AppState& app, const std::string& name_or_path) {
    install_network(app, lenet::arch_load(name_or_path), name_or_path);  // throws lenet::Error
    select_weights(app, default_weights(app));
    platform_announce("Architecture " + app.net->spec().name + ": " + std::to_string(app.net->layers().size()) +
                      " layers, " + fmt_int(app.net->totals().params) + " parameters" +
                      (app.weights.empty() ? ", untrained" : ", weights " + app.weights));
}

void select_dataset(AppState& app, const std::string& dataset) {
    if (dataset != "mnist" && dataset != "fashion")
        throw lenet::Error(lenet::ErrorKind::Usage, "dataset", "unknown data set '" + dataset + "' (mnist or fashion)");
    lenet::Dataset d;
    bool full = false;
    try {
        d = load_test_set(app, dataset, &full);
    } catch (const lenet::Error&) {
        const AssetState s = full_test_set_status(app, dataset).state;
        if (s != AssetState::Loading && s != AssetState::Failed) throw;
        app.pending_dataset = dataset;  // update_data selects it when it has arrived
        return;
    }
    app.pending_dataset.clear();
    app.test        = std::move(d);
    app.test_full   = full;
    app.dataset     = dataset;
    app.class_names = app.test.class_names.empty() ? lenet::class_names(dataset) : app.test.class_names;
    app.data_error.clear();
    app.sample = std::min(app.sample, std::max(0, app.test.count - 1));
    if (app.net) {
        select_weights(app, default_weights(app));
        if (app.source == InputSource::Test) set_sample(app, app.sample);
        if (app.weights.empty())
            for (const WeightsFile& w : app.weights_files)
                if (w.dataset == dataset) {
                    app.notices.push_back("No trained " + app.net->spec().name + " for " + dataset + " is shipped; " + w.arch +
                                          " has one (" + w.file + "): choose it under Architecture.");
                    break;
                }
    }
}

void set_sample(AppState& app, int index) {
    if (app.test.count <= 0) throw lenet::Error(lenet::ErrorKind::Usage, "sample", "no test set is loaded");
    std::string why;
    if (index >= app.test.count && test_set_waiting(app, &why))
        throw lenet::Error(lenet::ErrorKind::Usage, "sample", "digit " + std::to_string(index) + " has not arrived: " + why);
    if (index < 0 || index >= app.test.count)
        throw lenet::Error(lenet::ErrorKind::Usage, "sample",
                           "index " + std::to_string(index) + " is outside 0.." + std::to_string(app.test.count - 1));
    app.sample = index;
    app.source = InputSource::Test;
    lenet::prepare_input(app.net->spec(), app.test.image(index), app.test.rows, app.test.cols, app.input.data());
    recompute(app);
    if (size_t(index) < app.test_pred.size()) app.test_pred[size_t(index)] = int8_t(app.prediction.label);
    app.interacted = true;
    announce_step(app);
}

void set_drawn_input(AppState& app) {
    std::vector<uint8_t> gray(size_t(DrawPad::kSize) * DrawPad::kSize);
    for (size_t i = 0; i < gray.size(); ++i)
        gray[i] = uint8_t(std::lround(std::clamp(app.pad.ink[i], 0.0f, 1.0f) * 255.0f));
    app.pre = lenet::preprocess_gray(gray.data(), DrawPad::kSize, DrawPad::kSize);
    std::vector<uint8_t> blank;
    const uint8_t* digit = app.pre.mnist28.data();
    if (app.pre.empty || app.pre.mnist28.size() != 28 * 28) {
        blank.assign(28 * 28, 0);
        digit = blank.data();
    }
    app.source = InputSource::Draw;
    lenet::prepare_input(app.net->spec(), digit, 28, 28, app.input.data());
    recompute(app);
    app.interacted = true;
}

void clear_pad(AppState& app) {
    std::fill(app.pad.ink.begin(), app.pad.ink.end(), 0.0f);
    app.pad.dirty = true;
    app.pad.strokes = 0;
    set_drawn_input(app);
}

void set_input_pixels(AppState& app, const std::vector<float>& pixels01, int rows, int cols) {
    if (rows != 28 || cols != 28 || pixels01.size() != 28 * 28)
        throw lenet::Error(lenet::ErrorKind::Usage, "set_input", "expected 784 values (28x28), got " +
                                                                     std::to_string(pixels01.size()));
    std::vector<uint8_t> px(28 * 28);
    for (size_t i = 0; i < px.size(); ++i) {
        const float v = pixels01[i];
        if (!(v >= 0.0f && v <= 1.0f)) {  // NaN fails too
            char got[32];
            std::snprintf(got, sizeof got, "%g", double(v));
            throw lenet::Error(lenet::ErrorKind::Value, "set_input",
                               "pixel " + std::to_string(i) + " is " + got + "; every pixel must be a number in 0..1");
        }
        px[i] = uint8_t(std::lround(v * 255.0f));
    }
    // Already an MNIST-style digit: shown as the 28x28 step of the strip, no further preprocessing.
    app.pre = lenet::Preprocessed();
    app.pre.mnist28 = px;
    app.pre.empty = false;
    app.source = InputSource::Draw;
    lenet::prepare_input(app.net->spec(), px.data(), 28, 28, app.input.data());
    recompute(app);
    app.interacted = true;
    announce_step(app);
}

void set_view(AppState& app, int view) {
    leave_backward(app);  // a forward view: the training steps after OUTPUT are left
    view = std::clamp(view, 0, view_count(app) - 1);
    if (view != app.view) {
        app.unit_map = -1;
        app.table_hover = -1;
    }
    // Run the layers between what is computed and the target, one forward_layer call each. Going
    // back keeps the results; going forward again runs the layer again.
    const int from = std::min(app.view, app.ws->layers_done());
    for (int i = from; i < view; ++i) {
        app.net->forward_layer(*app.ws, i);
        app.steps_run++;
    }
    app.view = view;
    app.version++;
    app.interacted = true;
    announce_step(app);
}

// Past OUTPUT the strip goes on with the training steps (LOSS, the backward steps, UPDATE).
void step_view(AppState& app, int delta) { set_step(app, step_index(app) + delta); }

void run_to_output(AppState& app) {
    app.playing = false;
    set_view(app, view_count(app) - 1);
}

int classify_test(AppState& app, int index) {
    if (index < 0 || index >= app.test.count) return -1;
    if (app.test_pred.size() != size_t(app.test.count)) app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    int8_t& p = app.test_pred[size_t(index)];
    if (p < 0) {
        std::vector<float> x(size_t(app.net->input_shape().size()));
        lenet::prepare_input(app.net->spec(), app.test.image(index), app.test.rows, app.test.cols, x.data());
        p = int8_t(app.net->predict(*app.scratch, x.data()).label);
    }
    return p;
}

void scan_misclassified(AppState& app, int budget_ms) {
    if (!app.scanning || app.test.count <= 0) return;
    std::string why;
    if (test_set_waiting(app, &why)) {  // the search goes on when the whole set is in
        app.scan_message = "Next misclassified " + why;
        return;
    }
    const double t0 = now_ms();
    const int start = app.sample;
    while (now_ms() - t0 < budget_ms) {
        app.scan_next = (app.scan_next + 1) % app.test.count;
        if (app.scan_next == start) {
            app.scanning = false;
            app.scan_message = "No misclassified digit in the test set.";
            return;
        }
        if (classify_test(app, app.scan_next) != app.test.labels[size_t(app.scan_next)]) {
            app.scanning = false;
            app.scan_message.clear();
            set_sample(app, app.scan_next);
            return;
        }
    }
    char buf[96];
    std::snprintf(buf, sizeof buf, "Searching... at #%d", app.scan_next);
    app.scan_message = buf;
}

const float* view_data(const AppState& app, int view, bool pre) {
    if (view <= 0) return app.ws->input();
    if (app.ws->layers_done() < view) return nullptr;
    return pre ? app.ws->pre(view - 1) : app.ws->out(view - 1);
}

ColorScale view_scale(const AppState& app, int view, bool pre) {
    ColorScale s;
    if (view <= 0) {  // the image itself: ink white on black, as MNIST is usually shown
        s.mode = ColorMode::Gray;
        if (app.net->spec().norm == lenet::InputNorm::Paper) {
            s.lo = -0.1f;
            s.hi = 1.175f;
        } else {
            s.lo = 0.0f;
            s.hi = 1.0f;
        }
        return s;
    }
    const lenet::LayerInfo& L = app.net->layers()[size_t(view - 1)];
    const float* d = view_data(app, view, pre);
    const size_t n = size_t(L.out.size());
    float maxabs = 1e-6f, maxv = 1e-6f;
    if (d)
        for (size_t i = 0; i < n; ++i) {
            maxabs = std::max(maxabs, std::fabs(d[i]));
            maxv = std::max(maxv, d[i]);
        }
    if (L.type == lenet::LayerType::Rbf) {  // distances >= 0
        s.mode = ColorMode::Sequential;
        s.lo = 0.0f;
        s.hi = maxv;
        return s;
    }
    if (pre) {
        s.mode = ColorMode::Diverging;
        s.lo = -maxabs;
        s.hi = maxabs;
        return s;
    }
    switch (effective_activation(app, view - 1)) {
        case lenet::Activation::ScaledTanh: s.lo = -1.7159f; s.hi = 1.7159f; break;  // f(a) = 1.7159 tanh(2a/3)
        case lenet::Activation::Tanh: s.lo = -1.0f; s.hi = 1.0f; break;
        case lenet::Activation::Sigmoid: s.mode = ColorMode::Sequential; s.lo = 0.0f; s.hi = 1.0f; break;
        case lenet::Activation::Relu: s.mode = ColorMode::Sequential; s.lo = 0.0f; s.hi = maxv; break;
        case lenet::Activation::None: s.lo = -maxabs; s.hi = maxabs; break;
    }
    return s;
}

std::string step_summary(const AppState& app) {
    std::string t;
    if (app.view == 0) {
        const lenet::Shape s = app.net->input_shape();
        t = "Step 1 of " + std::to_string(view_count(app)) + ": INPUT, " + lenet::shape_str(s) + " image";
    } else {
        const lenet::LayerInfo& L = app.net->layers()[size_t(app.view - 1)];
        t = "Step " + std::to_string(app.view + 1) + " of " + std::to_string(view_count(app)) + ": layer " + L.name +
            " (" + lenet::layer_type_name(L.type) + "), " + lenet::shape_str(L.in) + " to " + lenet::shape_str(L.out) +
            ", " + fmt_int(L.params) + " parameters, " + fmt_int(L.connections) + " connections";
    }
    t += app.source == InputSource::Test ? ". Test digit " + std::to_string(app.sample) + ", label " +
                                               class_name(app, app.test.labels.empty() ? -1 : app.test.labels[size_t(app.sample)])
                                         : ". Drawn input";
    t += ". Prediction: " + class_name(app, app.prediction.label) + ".";
    return t;
}

// ---- the trace arithmetic (trace.h) on the step-through workspace -------------------------------
std::vector<int> feeding_maps(const AppState& app, int layer, int o) { return lenet_web::feeding_maps(*app.net, layer, o); }

Rect receptive_field(const AppState& app, int view, int y, int x, int target) {
    return lenet_web::receptive_field(*app.net, view, y, x, target);
}

Trace trace_unit(const AppState& app) {
    lenet_web::TraceUnit u;
    u.view = app.view;
    u.map = app.unit_map;
    u.y = app.unit_y;
    u.x = app.unit_x;
    if (u.view <= 0 || backward_active(app)) return Trace();  // a backward unit: app_btrace.h
    u.in = view_data(app, u.view - 1, false);
    u.pre = view_data(app, u.view, true);
    u.out = view_data(app, u.view, false);
    u.class_name = class_name(app, u.map);
    return lenet_web::trace_unit(*app.net, u);
}
