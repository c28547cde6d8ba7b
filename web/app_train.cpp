// web/app_train.cpp — live training of the shown network with lenet::Trainer on the training set, a
// time-budgeted slice per frame so the page stays responsive (single-threaded, also in the browser).
// Every eval_every samples the weights are measured on the fixed held-out subset of the test set
// (1,000 digits), and on demand on the whole test set; an evaluation takes the frame's slice until
// it is done, so it measures one set of weights. The views follow the weights as they change.
#include "app.h"

#include <algorithm>

namespace {

constexpr int kPlotEvery = 1000;  // training samples per point of the loss, speed, eta and pass plots
constexpr int kSliceCap = 4096;   // most samples in one Trainer::step call
// Most milliseconds of work in one step call: the budget is checked between calls, so a frame
// overshoots it by at most this (more when the machine is busy and the call is slowed down).
constexpr double kCallMs = 2.0;

// A running mean of the time per sample, which sizes the next call.
void measure(double& ms_per, double ms, int n) {
    const double v = ms / n;
    ms_per = ms_per > 0 ? 0.8 * ms_per + 0.2 * v : v;
}

lenet::TrainConfig make_config(const TrainSettings& s) {
    lenet::TrainConfig cfg;
    cfg.optimizer = s.optimizer;
    cfg.schedule = s.schedule;
    cfg.lr = s.lr;
    cfg.batch = s.batch;
    cfg.distort = s.distort;
    cfg.seed = s.seed;
    return cfg;
}

// The Train tab's loss into the network: a copy of it with the new spec, assigned in place, so the
// workspaces and everything else that refers to app.net stay valid.
void apply_loss(AppState& app) {
    if (app.net->spec().loss == app.train.loss) return;
    lenet::ArchSpec spec = app.net->spec();
    spec.loss = app.train.loss;
    lenet::Network with_loss(spec);  // throws lenet::Error when the loss does not fit the output layer
    with_loss.params() = app.net->params();
    with_loss.fixed() = app.net->fixed();
    *app.net = with_loss;
}

// Training with the current settings: the running Trainer if it was made with them, else a new one
// on the current weights (its pass count and schedule start again; the session goes on).
void start_now(AppState& app) {
    TrainState& t = app.train;
    t.start_when_ready = false;
    if (!t.trainer || !(t.trainer_settings == t.settings) || app.net->spec().loss != t.loss) {
        if (train_samples_seen(app) == 0) {
            t.from = app.weights.empty() ? app.files.loaded : app.weights;
            t.from_seed = app.seed;
        }
        if (t.trainer) t.samples_before += t.last.samples;
        t.trainer.reset();
        t.last = lenet::TrainProgress();
        apply_loss(app);
        t.trainer = std::make_unique<lenet::Trainer>(*app.net, t.data.set, make_config(t.settings));
        t.trainer_settings = t.settings;
    }
    t.running = true;
    t.speed_clock = -1;
}

void finish_eval(AppState& app) {
    TrainState& t = app.train;
    HeldOut& h = t.held;
    const float e = h.eval->result().error_rate();
    const int64_t seen = train_samples_seen(app);
    if (h.eval_full) {
        h.full_error = e;
        h.full_at = seen;
        h.full_count = h.eval->total();
    } else {
        h.error = e;
        t.test_plot.push(double(seen), 100.0f * e);
        h.next_at = seen + t.eval_every;
    }
    h.eval.reset();
}

// The running evaluation, until the frame's budget is spent; true when it is done (or none runs).
bool eval_slice(AppState& app, double t0) {
    TrainState& t = app.train;
    HeldOut& h = t.held;
    while (h.eval) {
        const double left = double(t.budget_ms) - (now_ms() - t0);
        if (left <= 0) return false;
        const int before = h.eval->done();
        const double c0 = now_ms();
        const bool done = h.eval->step(lenet_web::slice_samples(std::min(left, kCallMs), t.ms_per_eval, 1, 2000));
        const int n = h.eval->done() - before;
        if (n > 0) measure(t.ms_per_eval, now_ms() - c0, n);
        if (done) finish_eval(app);
    }
    return true;
}

void plot_point(TrainState& t, int64_t seen) {
    const lenet::TrainProgress& p = t.last;
    if (t.plot_n > 0) t.loss_plot.push(double(seen), float(t.plot_loss / t.plot_n));
    t.speed_plot.push(double(seen), float(t.speed));
    t.lr_plot.push(double(seen), p.eta);
    t.pass_plot.push(double(seen), float(p.epoch + 1));
    t.plot_loss = 0;
    t.plot_n = 0;
}

// Samples per second of wall time (what the user gets, evaluations and drawing included), over
// windows of about a second.
void measure_speed(TrainState& t, int64_t seen) {
    const double now = now_ms();
    if (t.speed_clock < 0) {
        t.speed_clock = now;
        t.speed_samples = double(seen);
    } else if (now - t.speed_clock >= 1000.0) {
        t.speed = (double(seen) - t.speed_samples) * 1000.0 / (now - t.speed_clock);
        t.speed_clock = now;
        t.speed_samples = double(seen);
    }
}

// Trains until the frame's budget is spent, an evaluation is due or the asked-for samples are done.
void train_slice(AppState& app, double t0) {
    TrainState& t = app.train;
    bool trained = false;
    while (t.running) {
        const double left = double(t.budget_ms) - (now_ms() - t0);
        if (left <= 0) break;
        const int64_t seen = train_samples_seen(app);
        int64_t cap = kSliceCap;
        if (t.held.subset.count > 0) cap = std::min<int64_t>(cap, std::max<int64_t>(1, t.held.next_at - seen));
        int n = lenet_web::slice_samples(std::min(left, kCallMs), t.ms_per_sample, t.settings.batch, int(cap));
        if (t.samples_left >= 0) n = int(std::min<int64_t>(n, t.samples_left));
        const double c0 = now_ms();
        const lenet::TrainProgress p = t.trainer->step(std::max(1, n));
        if (p.done > 0) measure(t.ms_per_sample, now_ms() - c0, p.done);
        t.last = p;
        if (p.diverged) {
            train_pause(app);
            t.error = p.message;
            break;
        }
        if (p.hessian_phase) continue;
        trained = trained || p.done > 0;
        t.plot_loss += double(p.recent_loss) * p.done;
        t.plot_n += p.done;
        const int64_t now_seen = train_samples_seen(app);
        if (t.plot_n >= kPlotEvery || p.epoch_end) plot_point(t, now_seen);
        if (t.samples_left >= 0 && (t.samples_left -= p.done) <= 0) train_pause(app);
        if (t.held.subset.count > 0 && now_seen >= t.held.next_at) break;  // evaluated next frame
    }
    if (!trained) return;
    app.weights.clear();  // the weights are the session's, not a shipped file's
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    recompute_all(app);
}

}  // namespace

// The paper's SDLM and schedule for its RBF network at the shipped lenet5-1998's eta (about 3% test
// error after one pass from random weights, 2% after two: docs/training.md), plain SGD for softmax
// cross-entropy.
void train_defaults(AppState& app, const lenet::ArchSpec& spec) {
    TrainSettings s;
    const bool xent = spec.loss == lenet::LossKind::Xent;
    s.optimizer = xent ? lenet::Optimizer::Sgd : lenet::Optimizer::Sdlm;
    s.schedule = xent ? lenet::Schedule::Constant : lenet::Schedule::Paper;
    s.lr = xent ? 0.01f : 0.00002f;
    app.train.settings = s;
    app.train.loss = spec.loss;
}

void train_end(AppState& app) {
    TrainState& t = app.train;
    t.trainer.reset();
    t.running = false;
    t.start_when_ready = false;
    t.samples_left = -1;
    t.last = lenet::TrainProgress();
    t.samples_before = 0;
    t.from.clear();
    t.error.clear();
    t.speed = 0;
    t.speed_clock = -1;
    t.plot_loss = 0;
    t.plot_n = 0;
    t.held.eval.reset();
    t.held.next_at = 0;
    t.held.error = t.held.full_error = -1;
    t.held.full_at = -1;
    for (lenet_web::Series* s : {&t.loss_plot, &t.test_plot, &t.speed_plot, &t.lr_plot, &t.pass_plot}) s->clear();
}

int64_t train_samples_seen(const AppState& app) { return app.train.samples_before + app.train.last.samples; }

bool train_settings_valid(const AppState& app, std::string* why) {
    try {
        lenet::validate(make_config(app.train.settings));
        return true;
    } catch (const lenet::Error& e) {
        if (why) *why = e.what();
        return false;
    }
}

void train_resume(AppState& app) {
    TrainState& t = app.train;
    std::string why;
    if (!train_settings_valid(app, &why)) throw lenet::Error(lenet::ErrorKind::Usage, "train", why);
    t.error.clear();
    if (!train_data_ready(app)) {
        t.start_when_ready = true;  // train_tick starts it when the training set has arrived
        return;
    }
    start_now(app);
}

void train_pause(AppState& app) {
    app.train.running = false;
    app.train.start_when_ready = false;
    app.train.samples_left = -1;
}

void train_samples(AppState& app, int64_t n) {
    train_resume(app);
    app.train.samples_left = std::max<int64_t>(1, n);
}

void train_reinitialise(AppState& app) {
    app.seed++;
    select_weights(app, "");
}

void train_shipped(AppState& app) {
    const std::string& name = app.net->spec().name;
    std::string file;
    for (const WeightsFile& w : app.weights_files)
        if (w.arch == name && w.dataset == app.dataset && (file.empty() || w.file == app.train.from)) file = w.file;
    if (file.empty())
        throw lenet::Error(lenet::ErrorKind::Usage, "weights", "no shipped weights for " + name + " on " + app.dataset);
    select_weights(app, file);
}

void train_evaluate_full(AppState& app) {
    std::string why;
    if (test_set_waiting(app, &why)) throw lenet::Error(lenet::ErrorKind::Usage, "test set", why);
    HeldOut& h = app.train.held;
    h.eval = std::make_unique<lenet::Evaluator>(*app.net, app.test);
    h.eval_full = true;
}

WeightsStatus weights_status(const AppState& app) {
    if (!app.weights.empty()) return WeightsStatus::Shipped;
    if (train_samples_seen(app) > 0) return WeightsStatus::TrainedHere;
    if (!app.files.loaded.empty()) return WeightsStatus::Loaded;
    return WeightsStatus::Untrained;
}

std::string trained_from(const AppState& app) {
    const TrainState& t = app.train;
    if (train_samples_seen(app) == 0)
        return !app.weights.empty() ? app.weights : !app.files.loaded.empty() ? app.files.loaded : "seed " + std::to_string(app.seed);
    return t.from.empty() ? "seed " + std::to_string(t.from_seed) : t.from;
}

void train_tick(AppState& app) {
    TrainState& t = app.train;
    const double t0 = now_ms();
    try {
        if (t.start_when_ready && train_data_ready(app)) start_now(app);
        train_held_out_subset(app);
        HeldOut& h = t.held;
        if (t.running && !h.eval && h.subset.count > 0 && train_samples_seen(app) >= h.next_at) {
            h.eval = std::make_unique<lenet::Evaluator>(*app.net, h.subset);
            h.eval_full = false;
        }
        if (t.running) measure_speed(t, train_samples_seen(app));
        if (!eval_slice(app, t0) || h.eval) return;
        if (t.running) train_slice(app, t0);
    } catch (const lenet::Error& e) {
        train_pause(app);
        t.error = e.what();
    }
}
