// web/app_eval.cpp — "Evaluate test set": runs lenet::ReportEvaluator over the whole test set a few
// milliseconds per frame (the page stays responsive; predict_batch does the work), keeps what the
// Evaluate window shows (the engine's EvalReport, the rejection curve, the gallery of one confusion
// cell) and answers the evaluate command and state().eval. The window is panels/eval_panel.cpp.
#include "app.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace {

void clear_run(EvalView& e) {
    e.run.reset();
    e.net.reset();
    e.curve.clear();
    e.gallery.clear();
    e.cell_true = e.cell_pred = -1;
    e.gallery_dirty = true;
    e.stale = false;
}

std::string weights_label(const AppState& app) {
    switch (weights_status(app)) {
        case WeightsStatus::Shipped: return app.weights;
        case WeightsStatus::Loaded: return app.files.loaded;
        case WeightsStatus::TrainedHere: return "trained here (seed " + std::to_string(app.seed) + ")";
        default: return "untrained (seed " + std::to_string(app.seed) + ")";
    }
}

void start(AppState& app) {
    EvalView& e = app.eval;
    clear_run(e);
    e.net = std::make_unique<lenet::Network>(*app.net);
    e.run = std::make_unique<lenet::ReportEvaluator>(*e.net, app.test, -1, 0, lenet::hardware_threads());
    e.dataset = app.dataset;
    e.arch = app.net->spec().name;
    e.weights = weights_label(app);
    e.seconds = 0;
    e.message.clear();
}

void finish(EvalView& e) {
    const lenet::EvalReport& r = e.run->report();
    e.curve = r.rejection_curve();
    e.operating = r.rejection_for_error(kPaperError);
}

}  // namespace

void eval_request(AppState& app) {
    app.eval.show = true;
    app.eval.requested = true;
    app.eval.message.clear();
}

void eval_tick(AppState& app) {
    EvalView& e = app.eval;
    // The evaluator reads app.test: a run whose data set was replaced is dropped.
    if (e.run && (e.dataset != app.dataset || !app.test_full || app.test.count != e.run->total())) {
        clear_run(e);
        e.message = "The data set changed: evaluate again.";
    }
    if (e.requested) {
        std::string why;
        if (app.test.count <= 0) {
            e.requested = false;
            e.message = "No test set is loaded" + (app.data_error.empty() ? std::string() : ": " + app.data_error);
        } else if (test_set_waiting(app, &why)) {
            e.message = "Evaluation " + why;
        } else {
            e.requested = false;
            start(app);
        }
    }
    if (e.run && !e.run->finished()) {
        const double t0 = now_ms();
        while (!e.run->finished() && now_ms() - t0 < e.budget_ms) e.run->step(32);
        e.seconds += (now_ms() - t0) / 1000.0;
        if (e.run->finished()) {
            finish(e);
            eval_select_cell(app, -1, -1);
        }
    }
    if (e.run && e.run->finished())
        e.stale = app.net->spec().name != e.arch || app.net->params() != e.net->params();
}

void eval_select_cell(AppState& app, int true_class, int predicted) {
    EvalView& e = app.eval;
    e.cell_true = true_class;
    e.cell_pred = predicted;
    e.gallery.clear();
    e.gallery_dirty = true;
    if (!e.run) return;
    const lenet::EvalReport& r = e.run->report();
    if (true_class < 0) {
        e.gallery = r.misclassified;
        return;
    }
    for (int i = 0; i < r.count; ++i)
        if (r.labels[size_t(i)] == true_class && r.predicted[size_t(i)] == predicted) e.gallery.push_back(i);
}

void eval_refresh_textures(AppState& app) {
    EvalView& e = app.eval;
    if (!e.gallery_dirty) return;
    e.gallery_dirty = false;
    const int n = std::min(int(e.gallery.size()), kGalleryMax);
    const lenet::Dataset& d = app.test;
    e.atlas_count = 0;
    if (n == 0 || d.rows <= 0 || d.cols <= 0) return;
    e.atlas_cols = std::min(n, 20);
    const int rows = (n + e.atlas_cols - 1) / e.atlas_cols, w = e.atlas_cols * d.cols;
    std::vector<uint8_t> px(size_t(w) * size_t(rows * d.rows), 0);
    for (int k = 0; k < n; ++k) {
        const int index = e.gallery[size_t(k)];
        if (index < 0 || index >= d.count) continue;
        const uint8_t* src = d.image(index);
        const int x0 = (k % e.atlas_cols) * d.cols, y0 = (k / e.atlas_cols) * d.rows;
        for (int y = 0; y < d.rows; ++y)
            std::copy(src + size_t(y) * d.cols, src + size_t(y + 1) * d.cols, px.begin() + long(size_t(y0 + y) * w + x0));
    }
    heatmap_upload_u8(e.atlas, px.data(), w, rows * d.rows);
    e.atlas_count = n;
}

void eval_free_textures(AppState& app) { heatmap_free(app.eval.atlas); }

bool eval_command(AppState& app, const nlohmann::json& cmd, std::string& reply) {
    using nlohmann::json;
    const std::string name = cmd["cmd"];
    if (name == "evaluate") {
        if (app.test.count <= 0) {
            reply = json({{"ok", false}, {"error", "evaluate: no test set is loaded"}}).dump();
            return true;
        }
        eval_request(app);
        reply = json({{"ok", true}}).dump();
        return true;
    }
    if (name == "eval_cell") {  // {true, predicted}: the gallery of one confusion cell; no arguments: the misclassified
        const bool all = !cmd.contains("true") && !cmd.contains("predicted");
        const int classes = app.eval.run ? app.eval.run->report().classes : 0;
        auto cls = [&](const char* key) {
            return cmd.contains(key) && cmd[key].is_number_integer() ? cmd[key].get<int>() : -1;
        };
        const int t = cls("true"), p = cls("predicted");
        if (!app.eval.run || !app.eval.run->finished())
            reply = json({{"ok", false}, {"error", "eval_cell: evaluate the test set first"}}).dump();
        else if (!all && (t < 0 || t >= classes || p < 0 || p >= classes))
            reply = json({{"ok", false}, {"error", "eval_cell needs \"true\" and \"predicted\": classes 0.." +
                                                       std::to_string(classes - 1)}}).dump();
        else {
            eval_select_cell(app, all ? -1 : t, all ? -1 : p);
            reply = json({{"ok", true}, {"count", app.eval.gallery.size()}}).dump();
        }
        return true;
    }
    return false;
}

void eval_state_json(const AppState& app, nlohmann::json& state) {
    using nlohmann::json;
    const EvalView& e = app.eval;
    if (!e.run) {
        state["eval"] = e.requested || !e.message.empty()
                            ? json({{"done", false}, {"count", 0}, {"waiting", e.requested}, {"message", e.message}})
                            : json(nullptr);
        return;
    }
    const lenet::EvalReport& r = e.run->report();
    json confusion = json::array();
    for (int t = 0; t < r.classes; ++t)
        confusion.push_back(std::vector<int>(r.confusion.begin() + long(t) * r.classes,
                                             r.confusion.begin() + long(t + 1) * r.classes));
    json rejection = json::array();
    for (const lenet::RejectionPoint& p : e.curve) rejection.push_back({{"rejected", p.rejected}, {"error", p.error}});
    json tiles = json::array();
    for (const EvalView::Tile& t : e.tiles)
        tiles.push_back({{"index", t.index}, {"x", t.rect.min.x}, {"y", t.rect.min.y},
                         {"w", t.rect.max.x - t.rect.min.x}, {"h", t.rect.max.y - t.rect.min.y}});
    state["eval"] = {
        {"done", e.run->finished()},
        {"count", r.count},
        {"total", e.run->total()},
        {"errors", r.errors},
        {"confusion", confusion},
        {"misclassified", r.misclassified},
        {"rejection", rejection},
        {"operating_point", e.curve.empty() ? json(nullptr)
                                            : json({{"target", kPaperError}, {"rejected", e.operating.rejected},
                                                    {"error", e.operating.error}})},
        {"dataset", e.dataset},
        {"arch", e.arch},
        {"weights", e.weights},
        {"stale", e.stale},
        {"seconds", e.seconds},
        {"show", e.show},
        {"cell", {{"true", e.cell_true}, {"predicted", e.cell_pred}}},
        {"gallery", e.gallery.size()},
        {"matrix", {{"x", e.matrix_pos.x}, {"y", e.matrix_pos.y}, {"cell_w", e.cell_size.x}, {"cell_h", e.cell_size.y}}},
        {"tiles", tiles},
    };
}
