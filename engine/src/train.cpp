// train.cpp — the trainer: SGD and the paper's stochastic diagonal Levenberg-Marquardt (SDLM),
// eta schedules, incremental stepping for the UI, evaluation, divergence guard, optional threads.
//
// Paper: LeCun et al. 1998, Section III.C.1 (training schedule, 20 passes, eta sequence) and
// Appendix C (SDLM: step_k = eta / (mu + h_kk), h_kk a Gauss-Newton estimate of the diagonal
// second derivative, re-estimated on 500 patterns before each pass, mu = 0.02).
//
// Design: every buffer is allocated in the Trainer constructor; step(n) runs at most n samples and
// returns, so a single-threaded caller (the browser UI) can interleave training with rendering.
// Determinism: shuffling and distortions come from our own splitmix64 keyed by (seed, pass, index);
// threaded minibatches give each thread a fixed contiguous slice of the batch and sum the per-thread
// gradients in thread order. The same seed, settings, data, thread count and build give
// bit-identical weights. Limits: threads only speed up batch > 1; with batch 1 (the paper's
// per-pattern updates) the work per update is too small to share.
#include "lenet/lenet.h"

#include "pool.h"
#include "rng.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

namespace lenet {

// ------------------------------------------------------------------------------------------------
// Names and schedules
// ------------------------------------------------------------------------------------------------
const char* optimizer_name(Optimizer o) { return o == Optimizer::Sdlm ? "sdlm" : "sgd"; }

const char* schedule_name(Schedule s) {
    switch (s) {
        case Schedule::Paper: return "paper";
        case Schedule::Step:  return "step";
        default:              return "constant";
    }
}

Optimizer optimizer_from_name(const std::string& s) {
    if (s == "sgd") return Optimizer::Sgd;
    if (s == "sdlm") return Optimizer::Sdlm;
    throw Error(ErrorKind::Usage, "--optimizer", "unknown optimizer '" + s + "' (expected sgd or sdlm)");
}

Schedule schedule_from_name(const std::string& s) {
    if (s == "paper") return Schedule::Paper;
    if (s == "constant") return Schedule::Constant;
    if (s == "step") return Schedule::Step;
    throw Error(ErrorKind::Usage, "--schedule",
                "unknown schedule '" + s + "' (expected paper, constant or step)");
}

LossKind loss_from_name(const std::string& s) {
    if (s == "mse") return LossKind::Mse;
    if (s == "map") return LossKind::Map;
    if (s == "xent") return LossKind::Xent;
    throw Error(ErrorKind::Usage, "--loss", "unknown loss '" + s + "' (expected mse, map or xent)");
}

// Section III.C.1: "0.0005 for the first two passes, 0.0002 for the next three, 0.0001 for the next
// three, 0.00005 for the next 4, and 0.00001 thereafter".
float paper_eta(int epoch) {
    if (epoch < 2) return 0.0005f;
    if (epoch < 5) return 0.0002f;
    if (epoch < 8) return 0.0001f;
    if (epoch < 12) return 0.00005f;
    return 0.00001f;
}

float eta_for_epoch(const TrainConfig& cfg, int epoch) {
    if (epoch < 0) epoch = 0;
    switch (cfg.schedule) {
        case Schedule::Paper:
            return paper_eta(epoch) * (cfg.lr / 0.0005f);  // lr = 0.0005 gives the paper's values exactly
        case Schedule::Step: {
            float eta = cfg.lr;
            for (int k = cfg.step_epochs; k <= epoch; k += cfg.step_epochs) eta *= cfg.step_gamma;
            return eta;
        }
        default:
            return cfg.lr;
    }
}

namespace {

void check_range(const char* name, double v, double lo, double hi, bool lo_open = false) {
    bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && v <= hi;
    if (!ok) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%g is out of range (%s%g .. %g]", v, lo_open ? "(" : "[", lo, hi);
        std::string msg = buf;
        if (!lo_open) msg.back() = ']';
        throw Error(ErrorKind::Value, name, msg);
    }
}

}  // namespace

void validate(const TrainConfig& c) {
    check_range("lr", c.lr, 0.0, 1e6, true);
    check_range("batch", c.batch, 1, 1 << 20);
    check_range("momentum", c.momentum, 0.0, 0.999999);
    check_range("weight_decay", c.weight_decay, 0.0, 1.0);
    check_range("sdlm_mu", c.sdlm_mu, 0.0, 1e6, true);
    check_range("sdlm_samples", c.sdlm_samples, 1, 1 << 24);
    check_range("step_epochs", c.step_epochs, 1, 1 << 20);
    check_range("step_gamma", c.step_gamma, 0.0, 1.0, true);
    check_range("threads", c.threads, 1, 256);
    check_range("repeat", c.repeat, 1, 1000);
    const DistortParams& d = c.distort_params;
    check_range("distort.max_shift", d.max_shift, 0.0, 14.0);
    check_range("distort.max_scale", d.max_scale, 0.0, 0.9);
    check_range("distort.max_squeeze", d.max_squeeze, 0.0, 0.9);
    check_range("distort.max_shear", d.max_shear, 0.0, 2.0);
    check_range("distort.max_rotate", d.max_rotate, 0.0, 180.0);
    check_range("distort.p_original", d.p_original, 0.0, 1.0);
}

// ------------------------------------------------------------------------------------------------
// Shared helpers
// ------------------------------------------------------------------------------------------------
namespace {

using Clock = std::chrono::steady_clock;

using detail::splitmix64;
using detail::ThreadPool;

// Predicted class from the last layer's output, without allocating.
int predicted_label(const Network& net, const Workspace& ws) {
    return net.best_label(ws.out(int(net.layers().size()) - 1));
}

}  // namespace

void check_data_fits(const Network& net, const Dataset& data, const char* what) {
    const std::string where = data.name.empty() ? std::string(what) : data.name;
    if (data.rows <= 0 || data.cols <= 0)
        throw Error(ErrorKind::Value, where, "the data set has no image size");
    if (data.pixels.size() < size_t(data.count) * data.rows * data.cols || data.labels.size() < size_t(data.count))
        throw Error(ErrorKind::Value, where, "the data set is shorter than its count");
    const int classes = int(net.output_shape().size());
    for (int i = 0; i < data.count; ++i) {
        if (int(data.labels[i]) >= classes)
            throw Error(ErrorKind::Value, where,
                        "label " + std::to_string(int(data.labels[i])) + " of sample " + std::to_string(i) +
                            " does not fit the network's " + std::to_string(classes) + " outputs");
    }
}

namespace {

bool all_finite(const float* p, size_t n) {
    // Sum of x * 0 is NaN exactly when some x is NaN or Inf; cheaper than a branch per element.
    float acc = 0.0f;
    for (size_t i = 0; i < n; ++i) acc += p[i] * 0.0f;
    return acc == 0.0f;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Evaluation
// ------------------------------------------------------------------------------------------------
Evaluator::Evaluator(const Network& net, const Dataset& data, int max_count, int first)
    : net_(&net), data_(&data), ws_(net), x_(size_t(net.input_shape().size())) {
    check_data_fits(net, data, "evaluation data");
    if (first < 0 || first > data.count)
        throw Error(ErrorKind::Usage, "Evaluator", "first sample " + std::to_string(first) + " is outside the data set");
    first_ = first;
    total_ = max_count < 0 ? data.count - first : std::min(max_count, data.count - first);
    ws_.want_input_grad = false;
    result_.classes = int(net.output_shape().size());
    result_.confusion.assign(size_t(result_.classes) * result_.classes, 0);
}

bool Evaluator::step(int n) {
    if (n < 0) throw Error(ErrorKind::Usage, "Evaluator::step", "n must be >= 0");
    const int end = std::min(total_, done_ + n);
    const Dataset& d = *data_;
    for (; done_ < end; ++done_) {
        const int i = first_ + done_;
        prepare_input(net_->spec(), d.image(i), d.rows, d.cols, x_.data());
        net_->forward(ws_, x_.data());
        const int label = d.labels[i];
        const int pred  = predicted_label(*net_, ws_);
        loss_sum_ += double(net_->loss(ws_, label));
        result_.count++;
        if (pred != label) result_.errors++;
        result_.confusion[size_t(label) * result_.classes + pred]++;
    }
    result_.loss = result_.count ? loss_sum_ / result_.count : 0.0;
    return finished();
}

namespace {
struct EvalCtx {
    std::vector<Evaluator>* ev;
    bool (*progress)(int, int, void*);
    void* user;
    int   total;
    volatile bool stop;
};
void eval_body(void* p, int t) {
    EvalCtx& c = *static_cast<EvalCtx*>(p);
    Evaluator& e = (*c.ev)[size_t(t)];
    const int T = int(c.ev->size());
    while (!e.finished() && !c.stop) {
        e.step(256);
        // Only the calling thread reports; it scales its own share to the whole.
        if (t == 0 && c.progress && !e.finished()) {
            const int est = std::min(c.total, e.done() * T);
            if (!c.progress(est, c.total, c.user)) c.stop = true;
        }
    }
}
}  // namespace

EvalResult evaluate(const Network& net, const Dataset& data, int max_count, int threads,
                    bool (*progress)(int, int, void*), void* user) {
    const int total = max_count < 0 ? data.count : std::min(max_count, data.count);
    ThreadPool pool(std::min(threads, total / 256));
    const int T = pool.threads();
    // Each thread takes a contiguous range; results are merged in range order (deterministic).
    std::vector<Evaluator> ev;
    ev.reserve(size_t(T));
    for (int t = 0; t < T; ++t) {
        const int lo = int(int64_t(total) * t / T), hi = int(int64_t(total) * (t + 1) / T);
        ev.emplace_back(net, data, hi - lo, lo);
    }
    EvalCtx ctx{&ev, progress, user, total, false};
    pool.run(T, [&ctx](int t) { eval_body(&ctx, t); });
    EvalResult r;
    r.classes = int(net.output_shape().size());
    r.confusion.assign(size_t(r.classes) * r.classes, 0);
    double loss_sum = 0.0;
    for (int t = 0; t < T; ++t) {
        const EvalResult& e = ev[size_t(t)].result();
        r.count += e.count;
        r.errors += e.errors;
        loss_sum += e.loss * e.count;
        for (size_t k = 0; k < r.confusion.size(); ++k) r.confusion[k] += e.confusion[k];
    }
    r.loss = r.count ? loss_sum / r.count : 0.0;
    if (progress && !ctx.stop) progress(r.count, total, user);
    return r;
}

// ------------------------------------------------------------------------------------------------
// Trainer
// ------------------------------------------------------------------------------------------------
namespace {
// Per-thread state: one sample's buffers and, for threaded minibatches, a private gradient.
struct Worker {
    Workspace            ws;
    std::vector<float>   x;     // (C, H, W) network input
    std::vector<uint8_t> img;   // (rows, cols) distorted image
    std::vector<float>   grad;  // (P) threaded batches only
    double loss_sum = 0;
    int    errors = 0;
    bool   bad = false;         // met a non-finite loss
    int    bad_index = -1;
    float  bad_loss = 0;
    Distortion last_d;
    int    last_index = -1;
    int    lo = 0, hi = 0;      // batch positions [lo, hi) for this thread
    Worker(const Network& net, size_t img_size)
        : ws(net), x(size_t(net.input_shape().size())), img(img_size) {
        ws.want_input_grad = false;
    }
};
}  // namespace

struct TrainerImpl {
    Network&       net;
    const Dataset& data;
    TrainConfig    cfg;
    int            N = 0;          // samples per pass: repeat x data.count
    int            count = 0;      // training images (data.count)
    size_t         P = 0;
    std::vector<int>    order;     // (N) presentations of the current pass: rep x count + dataset index
    std::vector<float>  grad;      // (P) summed loss gradient of the pending batch
    std::vector<float>  vel;       // (P) momentum, empty without
    std::vector<float>  hess;      // (P) h_kk, SDLM only
    std::vector<float>  stepk;     // (P) eta / (mu + h_kk) for this pass, SDLM only
    std::vector<float>  good;      // (P) last parameters known finite
    std::vector<Worker> workers;
    ThreadPool          pool;          // threads of a minibatch: 1 for batch 1
    TrainProgress       prog;
    bool   pass_started = false;
    int    epoch = 0, pos = 0;
    int    hess_done = 0, hess_total = 0;
    int    in_batch = 0;           // samples summed into grad, update pending
    int    grad_count = 0;         // samples summed into grad now (for grad norms)
    double pass_loss = 0;
    int64_t pass_errors = 0;
    float  eta = 0;
    bool   diverged = false;
    Distortion last_d;
    int    last_index = -1;

    TrainerImpl(Network& n, const Dataset& d, const TrainConfig& c)
        : net(n), data(d), cfg(c), pool(c.batch > 1 ? c.threads : 1) {}

    void start_pass();
    void hessian_slice(int n);
    bool forward_sample(Worker& w, int code);
    void backward_sample(Worker& w, float* g);
    // Batch 1 without momentum or weight decay: each sample's update is fused with its backward
    // (Network::backward_update) instead of a gradient buffer zeroed and applied per sample.
    bool fused() const {
        return cfg.batch == 1 && cfg.momentum == 0.0f && cfg.weight_decay == 0.0f;
    }
    void apply_update(int n);
    void fail(const std::string& why);
    void run_batch_threaded(int b);
};

void TrainerImpl::start_pass() {
    if (pass_started) { ++epoch; }
    pass_started = true;
    pos = 0;
    pass_loss = 0;
    pass_errors = 0;
    for (int i = 0; i < N; ++i) order[size_t(i)] = i;
    if (cfg.shuffle) {
        // Fisher-Yates keyed by (seed, pass): a pass's order does not depend on earlier history.
        uint64_t s = cfg.seed ^ (uint64_t(epoch) * 0xA0761D6478BD642Full) ^ 0x5851F42D4C957F2Dull;
        for (int i = N - 1; i > 0; --i) {
            const int j = int(splitmix64(s) % uint64_t(i + 1));
            std::swap(order[size_t(i)], order[size_t(j)]);
        }
    }
    eta = eta_for_epoch(cfg, epoch);
    if (cfg.optimizer == Optimizer::Sdlm) {
        hess_done = 0;
        hess_total = std::min(cfg.sdlm_samples, N);
        std::fill(hess.begin(), hess.end(), 0.0f);
    }
}

// Appendix C: h_kk averaged over the first sdlm_samples patterns of the pass (undistorted), then
// step_k = eta / (mu + h_kk).
void TrainerImpl::hessian_slice(int n) {
    Worker& w = workers[0];
    const int end = std::min(hess_total, hess_done + n);
    for (; hess_done < end; ++hess_done) {
        const int idx = order[size_t(hess_done)] % count;
        prepare_input(net.spec(), data.image(idx), data.rows, data.cols, w.x.data());
        net.forward(w.ws, w.x.data());
        net.loss(w.ws, data.labels[size_t(idx)]);
        net.backward_hessian(w.ws, hess.data());
    }
    if (hess_done == hess_total) {
        const float inv = 1.0f / float(hess_total);
        for (size_t k = 0; k < P; ++k) {
            hess[k] *= inv;
            stepk[k] = eta / (cfg.sdlm_mu + hess[k]);
        }
    }
}

// Forward and loss of one sample, counted in w's statistics. False: the loss is not finite (w is
// marked bad; no backward then). code = rep x count + dataset index; with repeat 1 the distortion
// keys are (seed, pass, index).
bool TrainerImpl::forward_sample(Worker& w, int code) {
    const int idx = code % count, rep = code / count;
    const uint8_t* img = data.image(idx);
    w.last_d = Distortion();
    if (cfg.distort) {
        w.last_d = distort_draw(cfg.distort_params,
                                distort_seed(cfg.seed, int64_t(epoch) * cfg.repeat + rep, idx));
        if (!w.last_d.identity) {
            distort_apply(w.last_d, img, data.rows, data.cols, w.img.data());
            img = w.img.data();
        }
    }
    w.last_index = idx;
    prepare_input(net.spec(), img, data.rows, data.cols, w.x.data());
    net.forward(w.ws, w.x.data());
    const int label = data.labels[size_t(idx)];
    if (predicted_label(net, w.ws) != label) w.errors++;
    const float L = net.loss(w.ws, label);
    if (!std::isfinite(L)) {
        if (!w.bad) { w.bad = true; w.bad_index = idx; w.bad_loss = L; }
        return false;
    }
    w.loss_sum += double(L);
    return true;
}

// The sample's gradient added into g. Minibatches record the dense layers' weight gradients and
// add them once per batch (flush_deferred at the batch's end): the same bits, less memory traffic.
void TrainerImpl::backward_sample(Worker& w, float* g) {
    if (cfg.batch > 1)
        net.backward_deferred(w.ws, g);
    else
        net.backward(w.ws, g);
}

// grad holds the sum over `count` samples: w -= eta_k (mean gradient + wd w), with momentum.
void TrainerImpl::apply_update(int n) {
    float* w = net.params().data();
    const float* g = grad.data();
    const float inv = 1.0f / float(n);
    const float wd = cfg.weight_decay, m = cfg.momentum;
    const bool sdlm = cfg.optimizer == Optimizer::Sdlm;
    if (m > 0.0f) {
        float* v = vel.data();
        for (size_t k = 0; k < P; ++k) {
            const float gk = g[k] * inv + wd * w[k];
            v[k] = m * v[k] + gk;
            w[k] -= (sdlm ? stepk[k] : eta) * v[k];
        }
    } else if (sdlm) {
        for (size_t k = 0; k < P; ++k) w[k] -= stepk[k] * (g[k] * inv + wd * w[k]);
    } else if (wd > 0.0f) {
        for (size_t k = 0; k < P; ++k) w[k] -= eta * (g[k] * inv + wd * w[k]);
    } else {
        const float s = eta * inv;
        for (size_t k = 0; k < P; ++k) w[k] -= s * g[k];
    }
    prog.updates++;
}

void TrainerImpl::fail(const std::string& why) {
    std::copy(good.begin(), good.end(), net.params().begin());
    std::fill(vel.begin(), vel.end(), 0.0f);
    diverged = true;
    prog.diverged = true;
    prog.message = "training diverged in pass " + std::to_string(epoch + 1) + " at sample " +
                   std::to_string(pos) + " of " + std::to_string(N) + " (update " +
                   std::to_string(prog.updates) + "): " + why +
                   "; restored the last good weights and stopped. Try a smaller learning rate (eta was " +
                   std::to_string(eta) + ").";
}

namespace {
struct BatchCtx { TrainerImpl* tr; };
void batch_body(void* p, int t) {
    TrainerImpl& tr = *static_cast<BatchCtx*>(p)->tr;
    Worker& w = tr.workers[size_t(t)];
    std::fill(w.grad.begin(), w.grad.end(), 0.0f);
    for (int i = w.lo; i < w.hi; ++i)
        if (tr.forward_sample(w, tr.order[size_t(i)])) tr.backward_sample(w, w.grad.data());
    tr.net.flush_deferred(w.ws, w.grad.data());
}
}  // namespace

// One whole batch of b samples at positions [pos, pos + b), shared by the pool's threads.
void TrainerImpl::run_batch_threaded(int b) {
    const int T = pool.threads();
    for (int t = 0; t < T; ++t) {
        workers[size_t(t)].lo = pos + int(int64_t(b) * t / T);
        workers[size_t(t)].hi = pos + int(int64_t(b) * (t + 1) / T);
    }
    BatchCtx ctx{this};
    pool.run(T, [&ctx](int t) { batch_body(&ctx, t); });
    // Fixed reduction order: thread 0, 1, ... (deterministic for a given thread count).
    std::copy(workers[0].grad.begin(), workers[0].grad.end(), grad.begin());
    for (int t = 1; t < T; ++t) {
        const float* g = workers[size_t(t)].grad.data();
        for (size_t k = 0; k < P; ++k) grad[k] += g[k];
    }
    grad_count = b;
    pos += b;
}

Trainer::Trainer(Network& net, const Dataset& train, const TrainConfig& cfg) : impl_(nullptr) {
    validate(cfg);
    check_data_fits(net, train, "training data");
    if (train.count <= 0) throw Error(ErrorKind::Value, train.name.empty() ? "training data" : train.name,
                                      "the training set is empty");
    if (cfg.optimizer == Optimizer::Sdlm && net.spec().loss == LossKind::Xent) {
        // Allowed: backward_hessian covers softmax cross-entropy through its Gauss-Newton term.
    }
    impl_ = new TrainerImpl(net, train, cfg);
    TrainerImpl& t = *impl_;
    if (int64_t(train.count) * cfg.repeat > int64_t(1) << 30)
        throw Error(ErrorKind::Value, "repeat", "repeat x training images must stay below 2^30 per pass");
    t.count = train.count;
    t.N = train.count * cfg.repeat;
    t.P = net.params().size();
    t.order.resize(size_t(t.N));
    t.grad.assign(t.P, 0.0f);
    if (cfg.momentum > 0.0f) t.vel.assign(t.P, 0.0f);
    if (cfg.optimizer == Optimizer::Sdlm) { t.hess.assign(t.P, 0.0f); t.stepk.assign(t.P, 0.0f); }
    t.good = net.params();
    const int T = t.pool.threads();
    const size_t img = size_t(train.rows) * size_t(train.cols);
    t.workers.reserve(size_t(T));
    for (int i = 0; i < T; ++i) {
        t.workers.emplace_back(net, img);
        // Minibatches: room for a batch of records of backward_sample's backward_deferred.
        if (cfg.batch > 1) t.workers.back().ws.set_deferred(net, cfg.batch);
        if (T > 1) t.workers.back().grad.assign(t.P, 0.0f);
    }
    t.prog.epoch_size = t.N;
    t.prog.grad_norms.assign(net.layers().size(), 0.0f);
    t.prog.eta = eta_for_epoch(cfg, 0);
    if (!all_finite(net.params().data(), t.P)) {
        delete impl_;
        impl_ = nullptr;
        throw Error(ErrorKind::Value, "weights", "the initial weights contain NaN or Inf");
    }
}

Trainer::~Trainer() { delete impl_; }

const TrainProgress& Trainer::progress() const { return impl_->prog; }
bool Trainer::diverged() const { return impl_->diverged; }
const TrainConfig& Trainer::config() const { return impl_->cfg; }
const std::vector<float>& Trainer::hessian() const { return impl_->hess; }
const Distortion& Trainer::last_distortion() const { return impl_->last_d; }
int Trainer::last_index() const { return impl_->last_index; }

EvalResult Trainer::evaluate(const Dataset& data, int max_count, bool (*cb)(int, int, void*), void* user) {
    return lenet::evaluate(impl_->net, data, max_count, impl_->cfg.threads, cb, user);
}

TrainProgress Trainer::step(int n) {
    if (n <= 0) throw Error(ErrorKind::Usage, "Trainer::step", "n must be > 0");
    TrainerImpl& t = *impl_;
    TrainProgress& p = t.prog;
    p.done = 0;
    p.epoch_end = false;
    p.hessian_phase = false;
    p.recent_loss = p.recent_error = 0;
    if (t.diverged) return p;
    const auto t0 = Clock::now();

    if (!t.pass_started || t.pos == t.N) t.start_pass();
    p.epoch = t.epoch;
    p.eta = t.eta;

    if (t.cfg.optimizer == Optimizer::Sdlm && t.hess_done < t.hess_total) {
        const int before = t.hess_done;
        t.hessian_slice(n);
        p.hessian_phase = true;
        p.done = t.hess_done - before;
        if (!all_finite(t.hess.data(), t.P)) t.fail("the second-derivative estimate h_kk is NaN/Inf");
    } else {
        Worker& w0 = t.workers[0];
        for (Worker& w : t.workers) { w.loss_sum = 0; w.errors = 0; w.bad = false; }
        const int want = std::min(n, t.N - t.pos);
        const int start = t.pos;
        const bool threaded = t.pool.threads() > 1;
        if (threaded) {
            // Whole batches only (the last batch of a pass may be smaller).
            while (t.pos - start < want && !t.diverged) {
                const int b = std::min(t.cfg.batch, t.N - t.pos);
                t.run_batch_threaded(b);
                bool bad = false;
                for (const Worker& w : t.workers) bad = bad || w.bad;
                if (bad) break;
                t.apply_update(b);
            }
        } else {
            const int end = start + want;
            if (t.fused()) {
                // The same arithmetic as below (w[k] - eta * g[k], or stepk[k] * g[k]); the gradient
                // is kept only for the last sample of the call, for grad_norms.
                t.grad_count = 0;
                const float* stepk = t.cfg.optimizer == Optimizer::Sdlm ? t.stepk.data() : nullptr;
                while (t.pos < end) {
                    const bool keep = t.pos + 1 == end;
                    if (!t.forward_sample(w0, t.order[size_t(t.pos)])) break;
                    t.net.backward_update(w0.ws, t.grad.data(), stepk, t.eta, keep);
                    t.pos++;
                    t.prog.updates++;
                    if (keep) t.grad_count = 1;
                }
            }
            while (t.pos < end) {
                if (t.in_batch == 0) { std::fill(t.grad.begin(), t.grad.end(), 0.0f); t.grad_count = 0; }
                if (!t.forward_sample(w0, t.order[size_t(t.pos)])) break;
                t.backward_sample(w0, t.grad.data());
                t.in_batch++;
                t.grad_count++;
                t.pos++;
                if (t.in_batch == t.cfg.batch || t.pos == t.N) {
                    t.net.flush_deferred(w0.ws, t.grad.data());
                    t.apply_update(t.in_batch);
                    t.in_batch = 0;
                }
            }
            t.net.flush_deferred(w0.ws, t.grad.data());  // a batch left for the next call: its sums so far
        }
        // Gather this call's statistics in thread order.
        double loss_sum = 0;
        int errors = 0;
        const Worker* bad = nullptr;
        for (const Worker& w : t.workers) {
            loss_sum += w.loss_sum;
            errors += w.errors;
            if (w.bad && !bad) bad = &w;
        }
        const int done = t.pos - start;
        t.pass_loss += loss_sum;
        t.pass_errors += errors;
        p.done = done;
        p.samples += done;
        p.recent_loss = done ? float(loss_sum / done) : 0.0f;
        p.recent_error = done ? float(errors) / float(done) : 0.0f;
        p.loss = t.pos ? float(t.pass_loss / t.pos) : 0.0f;
        p.error = t.pos ? float(double(t.pass_errors) / t.pos) : 0.0f;
        const Worker& lw = t.workers[threaded ? t.workers.size() - 1 : 0];
        t.last_d = lw.last_d;
        t.last_index = lw.last_index;
        if (bad) {
            t.fail(std::string("the loss is ") + (std::isnan(bad->bad_loss) ? "NaN" : "Inf") +
                   " on training sample " + std::to_string(bad->bad_index));
        } else if (!all_finite(t.net.params().data(), t.P)) {
            t.fail("a weight became NaN/Inf");
        } else {
            std::copy(t.net.params().begin(), t.net.params().end(), t.good.begin());
        }
        // Per-layer L2 norm of the mean loss gradient of the latest batch.
        if (t.grad_count > 0) {
            const float inv = 1.0f / float(t.grad_count);
            const auto& layers = t.net.layers();
            for (size_t l = 0; l < layers.size(); ++l) {
                double s = 0;
                const LayerInfo& L = layers[l];
                for (size_t k = 0; k < L.weight_count; ++k) { double g = t.grad[L.weight_offset + k]; s += g * g; }
                for (size_t k = 0; k < L.bias_count; ++k) { double g = t.grad[L.bias_offset + k]; s += g * g; }
                p.grad_norms[l] = float(std::sqrt(s)) * inv;
            }
        }
        p.position = t.pos;
        p.epoch_end = (t.pos == t.N) && !t.diverged;
    }
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    p.seconds += dt;
    p.samples_per_sec = dt > 0 ? p.done / dt : 0.0;
    return p;
}

}  // namespace lenet
