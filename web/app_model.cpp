// web/app_model.cpp — the app's side of the engine: architecture and weights selection, the input
// (test digit, drawing pad, or pixels from JS), and step-through. Stepping calls
// Network::forward_layer once per layer; a second workspace keeps the whole forward pass for the
// prediction. Everything here may throw lenet::Error; callers in the UI turn that into a notice.
#include "app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace {

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// Every weights file shipped in <assets>/weights: which architecture and data set it is for.
void scan_weights(AppState& app) {
    app.weights_files.clear();
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir = fs::path(app.config.asset_dir) / "weights";
    if (!fs::is_directory(dir, ec)) return;
    std::vector<std::string> paths;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".lenet") paths.push_back(e.path().string());
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) {
        try {
            lenet::Network n = lenet::load_weights(p);
            WeightsFile w;
            w.path = p;
            w.file = fs::path(p).filename().string();
            w.arch = n.spec().name;
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

std::string fmt_int(long long v) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

int view_count(const AppState& app) { return 1 + int(app.net->layers().size()); }

std::string view_name(const AppState& app, int view) {
    if (view <= 0) return "INPUT";
    return app.net->layers()[size_t(std::min(view, view_count(app) - 1) - 1)].name;
}

lenet::Shape view_shape(const AppState& app, int view) {
    if (view <= 0) return app.net->input_shape();
    return app.net->layers()[size_t(view - 1)].out;
}

bool penalty_output(const AppState& app) {
    return app.net->layers().back().type == lenet::LayerType::Rbf || app.net->spec().loss == lenet::LossKind::Map;
}

std::string class_name(const AppState& app, int label) {
    if (label < 0 || label >= int(app.class_names.size())) return std::to_string(label);
    return app.class_names[size_t(label)];
}

void select_weights(AppState& app, const std::string& file) {
    app.train.trainer.reset();  // new weights: a running training session ends
    app.train.running = false;
    if (file.empty()) {
        app.net->init(app.seed);
        app.weights.clear();
    } else {
        const WeightsFile* found = nullptr;
        for (const WeightsFile& w : app.weights_files)
            if (w.file == file) found = &w;
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

void select_arch(AppState& app, const std::string& name_or_path) {
    lenet::ArchSpec spec = lenet::arch_load(name_or_path);  // throws lenet::Error
    app.train.trainer.reset();  // it refers to the old network
    app.train.running = false;
    // Training defaults of the architecture: the paper's SDLM for its MSE/RBF network, plain SGD
    // for softmax cross-entropy (docs/training.md).
    app.train.optimizer = spec.loss == lenet::LossKind::Xent ? 0 : 1;
    app.train.lr = spec.loss == lenet::LossKind::Xent ? 0.01f : 0.0005f;
    auto net = std::make_unique<lenet::Network>(spec);
    if (net->input_shape().c != 1 || net->input_shape().h < 28 || net->input_shape().w < 28)
        throw lenet::Error(lenet::ErrorKind::Spec, name_or_path,
                           "the explorer needs a 1-channel input of at least 28x28 (this is " +
                               lenet::shape_str(net->input_shape()) + ")");
    app.net     = std::move(net);
    app.arch    = name_or_path;
    app.ws      = std::make_unique<lenet::Workspace>(*app.net);
    app.full    = std::make_unique<lenet::Workspace>(*app.net);
    app.scratch = std::make_unique<lenet::Workspace>(*app.net);
    app.input.assign(size_t(app.net->input_shape().size()), 0.0f);
    app.view     = std::min(app.view, view_count(app) - 1);
    app.unit_map = -1;
    app.playing  = false;
    app.arch_error.clear();
    // Re-create the current input for the new input normalisation.
    if (app.source == InputSource::Test && app.test.count > 0) {
        lenet::prepare_input(app.net->spec(), app.test.image(app.sample), app.test.rows, app.test.cols, app.input.data());
    } else if (!app.pre.mnist28.empty()) {
        lenet::prepare_input(app.net->spec(), app.pre.mnist28.data(), 28, 28, app.input.data());
    } else {
        std::vector<uint8_t> blank(28 * 28, 0);
        lenet::prepare_input(app.net->spec(), blank.data(), 28, 28, app.input.data());
    }
    select_weights(app, default_weights(app));
    platform_announce("Architecture " + app.net->spec().name + ": " + std::to_string(app.net->layers().size()) +
                      " layers, " + fmt_int(app.net->totals().params) + " parameters" +
                      (app.weights.empty() ? ", untrained" : ", weights " + app.weights));
}

void select_dataset(AppState& app, const std::string& dataset) {
    if (dataset != "mnist" && dataset != "fashion")
        throw lenet::Error(lenet::ErrorKind::Usage, "dataset", "unknown data set '" + dataset + "' (mnist or fashion)");
    lenet::Dataset d = lenet::load_dataset_dir(app.config.asset_dir + "/data/" + dataset, "test", -1, dataset);
    app.test        = std::move(d);
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

void set_input_pixels(AppState& app, const std::vector<float>& pixels01, int rows, int cols) {
    if (rows != 28 || cols != 28 || pixels01.size() != 28 * 28)
        throw lenet::Error(lenet::ErrorKind::Usage, "set_input", "expected 784 values (28x28), got " +
                                                                     std::to_string(pixels01.size()));
    std::vector<uint8_t> px(28 * 28);
    for (size_t i = 0; i < px.size(); ++i) {
        float v = pixels01[i];
        if (!std::isfinite(v)) throw lenet::Error(lenet::ErrorKind::Value, "set_input", "pixel " + std::to_string(i) + " is not a number");
        px[i] = uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
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

void step_view(AppState& app, int delta) { set_view(app, app.view + delta); }

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

// ---- textures ------------------------------------------------------------------------------------
namespace {

// A view's values as a texture: maps stacked vertically (W, C*H), or a vector as a grid.
void upload_view(const AppState& app, Heatmap& tex, int view, bool pre) {
    const float* d = view_data(app, view, pre);
    const lenet::Shape s = view_shape(app, view);
    if (!d) return;
    if (s.h * s.w > 1 || view == 0) {
        heatmap_upload(tex, d, s.w, s.c * s.h);
    } else {
        int cols, rows;
        vector_grid(s.c, cols, rows);
        std::vector<float> grid(size_t(cols) * rows, 0.0f);
        std::copy(d, d + s.c, grid.begin());
        heatmap_upload(tex, grid.data(), cols, rows);
    }
}

// The current layer's weights as one texture:
//   conv (O, I, K, K): as the paper's Table I, one row of O kernels per input map: (O*K, I*K)
//   full (O, I): the matrix, one row per output unit: (I, O)
//   rbf prototypes (O, 84): 10 bitmaps of 7x12 side by side: (O*7, 12)
void upload_weights(AppState& app) {
    if (app.view <= 0) return;
    const lenet::LayerInfo& L = app.net->layers()[size_t(app.view - 1)];
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(app.view - 1)];
    const float* w = app.net->params().data() + L.weight_offset;
    if (L.type == lenet::LayerType::Conv) {
        const int O = L.out.c, I = L.in.c, K = S.kernel;
        std::vector<float> t(size_t(I) * K * O * K);
        for (int o = 0; o < O; ++o)
            for (int i = 0; i < I; ++i)
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx)
                        t[(size_t(i) * K + ky) * size_t(O * K) + size_t(o) * K + kx] =
                            w[((size_t(o) * I + i) * K + ky) * K + kx];
        heatmap_upload(app.tex_weights, t.data(), O * K, I * K);
    } else if (L.type == lenet::LayerType::Full) {
        heatmap_upload(app.tex_weights, w, int(L.in.size()), L.out.c);
    } else if (L.type == lenet::LayerType::Rbf) {
        const float* p = app.net->fixed().data() + L.fixed_offset;
        const int O = L.out.c, I = int(L.in.size());
        if (I == 84) {
            std::vector<float> t(size_t(O) * 7 * 12);
            for (int o = 0; o < O; ++o)
                for (int y = 0; y < 12; ++y)
                    for (int x = 0; x < 7; ++x) t[size_t(y) * (O * 7) + size_t(o) * 7 + x] = p[size_t(o) * 84 + y * 7 + x];
            heatmap_upload(app.tex_weights, t.data(), O * 7, 12);
        } else {
            heatmap_upload(app.tex_weights, p, I, O);
        }
    }
}

}  // namespace

void refresh_textures(AppState& app) {
    if (app.uploaded_version == app.version && app.uploaded_pre == app.show_pre && app.uploaded_view == app.view) return;
    app.uploaded_version = app.version;
    app.uploaded_pre = app.show_pre;
    app.uploaded_view = app.view;
    upload_view(app, app.tex_input, 0, false);
    upload_view(app, app.tex_act, app.view, app.show_pre);
    if (app.view > 0) upload_view(app, app.tex_prev, app.view - 1, false);
    upload_weights(app);
    if (app.source == InputSource::Draw) {
        const lenet::Preprocessed& p = app.pre;
        if (!p.gray.empty()) heatmap_upload_u8(app.tex_steps[0], p.gray.data(), p.gray_w, p.gray_h);
        if (!p.crop.empty()) heatmap_upload_u8(app.tex_steps[1], p.crop.data(), p.crop_w, p.crop_h);
        if (p.fit20.size() == 400) heatmap_upload_u8(app.tex_steps[2], p.fit20.data(), 20, 20);
        if (p.mnist28.size() == 784) heatmap_upload_u8(app.tex_steps[3], p.mnist28.data(), 28, 28);
    } else if (app.test.count > 0) {
        heatmap_upload_u8(app.tex_steps[3], app.test.image(app.sample), app.test.cols, app.test.rows);
    }
    // OUTPUT view of an RBF network: F6's 84 outputs as the paper's 7x12 bitmap.
    const int last = view_count(app) - 1;
    if (app.view == last && app.net->layers().back().type == lenet::LayerType::Rbf && app.ws->layers_done() >= last &&
        app.net->layers().back().in.size() == 84)
        heatmap_upload(app.tex_f6, app.ws->out(last - 2), 7, 12);  // view last-1 = engine layer last-2
}

// ---- trace helpers -------------------------------------------------------------------------------
std::vector<int> feeding_maps(const AppState& app, int layer, int o) {
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(layer)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    std::vector<int> maps;
    if (S.type == lenet::LayerType::Pool) {
        maps.push_back(o);
    } else if (S.type == lenet::LayerType::Conv) {
        for (int i = 0; i < L.in.c; ++i)
            if (S.table.empty() || S.table[size_t(i) * L.out.c + o]) maps.push_back(i);
    } else {
        for (int i = 0; i < L.in.c; ++i) maps.push_back(i);
    }
    return maps;
}

Rect receptive_field(const AppState& app, int view, int y, int x, int target) {
    Rect r{y, y, x, x};
    for (int v = view; v > target; --v) {
        const lenet::LayerSpec& S = app.net->spec().layers[size_t(v - 1)];
        const lenet::Shape in = view_shape(app, v - 1);
        if (S.type == lenet::LayerType::Conv || S.type == lenet::LayerType::Pool) {
            const int st = S.stride, k = S.kernel, pad = S.type == lenet::LayerType::Conv ? S.padding : 0;
            r = Rect{r.y0 * st - pad, r.y1 * st - pad + k - 1, r.x0 * st - pad, r.x1 * st - pad + k - 1};
        } else {
            r = Rect{0, in.h - 1, 0, in.w - 1};
        }
        r.y0 = std::max(r.y0, 0);
        r.x0 = std::max(r.x0, 0);
        r.y1 = std::min(r.y1, in.h - 1);
        r.x1 = std::min(r.x1, in.w - 1);
    }
    return r;
}

Trace trace_unit(const AppState& app) {
    Trace t;
    const int v = app.view;
    if (v <= 0) return t;
    const lenet::Shape out = view_shape(app, v), inshape = view_shape(app, v - 1);
    const int m = app.unit_map, uy = app.unit_y, ux = app.unit_x;
    if (m < 0 || m >= out.c || uy < 0 || uy >= out.h || ux < 0 || ux >= out.w) return t;
    const float* in = view_data(app, v - 1, false);
    const float* pre = view_data(app, v, true);
    const float* post = view_data(app, v, false);
    if (!in || !pre || !post) return t;
    const int li = v - 1;
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(li)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(li)];
    const float* w = app.net->params().data() + L.weight_offset;
    const float* b = app.net->params().data() + L.bias_offset;
    const std::string prev = view_name(app, v - 1);
    char buf[96];
    auto at = [&](int map, int y, int x) -> float {  // zero outside (padding)
        if (y < 0 || y >= inshape.h || x < 0 || x >= inshape.w) return 0.0f;
        return in[(size_t(map) * inshape.h + y) * inshape.w + x];
    };
    switch (S.type) {
        case lenet::LayerType::Conv: {
            const int K = S.kernel, I = L.in.c;
            for (int i : feeding_maps(app, li, m)) {
                TraceGroup g;
                g.title = "from " + prev + " map " + std::to_string(i);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx) {
                        const int yy = uy * S.stride - S.padding + ky, xx = ux * S.stride - S.padding + kx;
                        std::snprintf(buf, sizeof buf, "%s[%d][%d][%d]", prev.c_str(), i, yy, xx);
                        g.terms.push_back({w[((size_t(m) * I + i) * K + ky) * K + kx], at(i, yy, xx), buf});
                    }
                t.groups.push_back(std::move(g));
            }
            t.bias = b[m];
            break;
        }
        case lenet::LayerType::Pool: {
            const int K = S.kernel;
            TraceGroup g;
            g.title = "window of " + prev + " map " + std::to_string(m);
            const float coeff = S.pool == lenet::PoolMode::Subsample ? w[m] : 1.0f / float(K * K);
            for (int dy = 0; dy < K; ++dy)
                for (int dx = 0; dx < K; ++dx) {
                    const int yy = uy * S.stride + dy, xx = ux * S.stride + dx;
                    std::snprintf(buf, sizeof buf, "%s[%d][%d][%d]", prev.c_str(), m, yy, xx);
                    g.terms.push_back({S.pool == lenet::PoolMode::Max ? 1.0f : coeff, at(m, yy, xx), buf});
                }
            t.groups.push_back(std::move(g));
            if (S.pool == lenet::PoolMode::Max) t.kind = Trace::Max;
            if (S.pool == lenet::PoolMode::Subsample) t.bias = b[m];
            break;
        }
        case lenet::LayerType::Full:
        case lenet::LayerType::Rbf: {
            const int I = int(L.in.size());
            const bool rbf = S.type == lenet::LayerType::Rbf;
            const float* wr = rbf ? app.net->fixed().data() + L.fixed_offset : w;
            TraceGroup g;
            g.title = rbf ? "squared differences to the prototype of " + class_name(app, m) : "weights x inputs";
            for (int i = 0; i < I; ++i) {
                std::snprintf(buf, sizeof buf, "%s[%d]", prev.c_str(), i);
                g.terms.push_back({wr[size_t(m) * I + i], in[i], buf});
            }
            t.groups.push_back(std::move(g));
            if (rbf) t.kind = Trace::Rbf;
            else t.bias = b[m];
            break;
        }
    }
    double a = 0.0, mx = -1e300;
    for (TraceGroup& g : t.groups) {
        g.sum = 0.0;
        for (const TraceTerm& term : g.terms) {
            const double d = double(term.x) - double(term.w);
            g.sum += t.kind == Trace::Rbf ? d * d : double(term.w) * double(term.x);
            mx = std::max(mx, double(term.x));
        }
        a += g.sum;
        t.terms += int(g.terms.size());
    }
    t.a = t.kind == Trace::Max ? mx : a + t.bias;
    const size_t unit = (size_t(m) * out.h + uy) * out.w + ux;
    t.engine_a = pre[unit];
    t.engine_out = post[unit];
    t.matches = std::fabs(t.a - double(t.engine_a)) <= 1e-3 * std::max(1.0, std::fabs(t.a));
    t.valid = true;
    return t;
}
