// bench.cpp — the benchmark behind `lenet5 bench`, the wasm bench (tools/bench_wasm.cpp) and
// window.lenet.bench(): four figures per architecture, each the median of repetitions after a
// warm-up. The protocol (counts, batch size, learning rate) is the one of bench/peers/common.mjs, so
// the peers' figures compare one to one. Method and results: docs/performance.md.
#include "lenet/lenet.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace lenet {

namespace {

struct Protocol {  // bench/peers/common.mjs: P
    int reps = 5, b1_warm = 200, b1_n = 500, batch = 250, batch_n = 2000, mb1_warm = 200, mb1_n = 500,
        mb32_n = 1024;
    float lr = 0.01f;
    double warm_s = 1.0;  // warm-up lasts at least this long (see measure)
};

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// fn(count, offset) does `count` units of work; returns the median seconds per unit. The warm-up
// repeats `warm` units until it has lasted warm_s seconds, not a fixed count: V8 first runs wasm in
// its baseline compiler (Liftoff) and moves hot functions to its optimising one (TurboFan) only
// after a while, so the warm-up must last long enough for that switch to happen before timing.
template <class F>
double measure(F&& fn, int warm, int n, int reps, double warm_s) {
    int off = 0;
    if (warm > 0) {
        const double t0 = now_s();
        do { fn(warm, off); off += warm; } while (now_s() - t0 < warm_s);
    }
    std::vector<double> per;
    for (int r = 0; r < reps; ++r) {
        const double t0 = now_s();
        fn(n, off);
        per.push_back((now_s() - t0) / n);
        off += n;
    }
    return median(per);
}

int scaled(int v, double s) { return std::max(10, int(std::lround(v * s))); }

// The first M digits of data as network inputs, (M, C, H, W), prepared before any timing.
std::vector<float> prepared_inputs(const Network& net, const Dataset& data, int M) {
    const size_t in = size_t(net.input_shape().size());
    std::vector<float> x(size_t(M) * in);
    for (int i = 0; i < M; ++i) prepare_input(net.spec(), data.image(i), data.rows, data.cols, x.data() + size_t(i) * in);
    return x;
}

}  // namespace

BenchResult bench(const std::string& arch, const Dataset& data, const BenchOptions& opt) {
    Protocol P;
    if (!(opt.scale > 0.0 && opt.scale <= 100.0))
        throw Error(ErrorKind::Usage, "bench", "scale must be in (0, 100]");
    if (opt.scale != 1.0) {
        P.b1_warm = scaled(P.b1_warm, opt.scale); P.b1_n = scaled(P.b1_n, opt.scale);
        P.batch_n = std::max(P.batch, scaled(P.batch_n, opt.scale) / P.batch * P.batch);
        P.mb1_warm = scaled(P.mb1_warm, opt.scale); P.mb1_n = scaled(P.mb1_n, opt.scale);
        P.mb32_n = std::max(32, scaled(P.mb32_n, opt.scale) / 32 * 32);
    }
    const int need = 3000;
    if (data.count < need)
        throw Error(ErrorKind::Value, data.name.empty() ? "bench data" : data.name,
                    "the benchmark needs at least " + std::to_string(need) + " digits, got " + std::to_string(data.count));

    BenchResult r;
    r.arch = arch;
    r.threads = opt.threads > 0 ? std::min(opt.threads, 256) : hardware_threads();
    auto note = [&](const char* what) { if (opt.progress) opt.progress(what, opt.user); };

    Network net(arch_load(arch));
    net.init(1);
    const size_t in = size_t(net.input_shape().size());
    const int M = std::min(data.count, 10000);  // inputs prepared before timing
    const std::vector<float> x = prepared_inputs(net, data, M);

    // 1. batch-1 inference latency: one forward pass and its label per call.
    note("infer_b1");
    {
        Workspace ws(net);
        ws.want_input_grad = false;
        const int last = int(net.layers().size()) - 1;
        const int nout = int(net.output_shape().size());
        volatile int sink = 0;
        r.infer_b1_us = 1e6 * measure([&](int n, int off) {
            for (int k = 0; k < n; ++k) {
                net.forward(ws, x.data() + size_t((off + k) % M) * in);
                const float* y = ws.out(last);
                int best = 0;
                for (int c = 1; c < nout; ++c) if (y[c] > y[best]) best = c;
                sink = sink + best;
            }
        }, P.b1_warm, P.b1_n, P.reps, P.warm_s);
    }

    // 2. batched inference throughput: predict_batch on batches of P.batch, r.threads threads.
    note("infer_batch");
    {
        std::vector<int> labels(size_t(P.batch));
        const int nb = M / P.batch;  // whole batches inside the prepared inputs
        r.infer_batch_per_s = 1.0 / measure([&](int n, int off) {
            for (int s = 0; s < n; s += P.batch) {
                const int b = ((off + s) / P.batch) % nb;
                predict_batch(net, x.data() + size_t(b) * P.batch * in, P.batch, labels.data(), nullptr, r.threads);
            }
        }, P.batch_n, P.batch_n, P.reps, P.warm_s);
    }

    // 3./4. training throughput: the Trainer (plain SGD, lr 0.01), one thread.
    auto train_rate = [&](int batch, int warm, int n) {
        Network tn(net.spec());
        tn.init(1);
        TrainConfig cfg;
        cfg.optimizer = Optimizer::Sgd;
        cfg.schedule = Schedule::Constant;
        cfg.lr = P.lr;
        cfg.batch = batch;
        cfg.threads = 1;
        Trainer tr(tn, data, cfg);
        return 1.0 / measure([&](int count, int) {
            for (int done = 0; done < count;) {
                const TrainProgress& p = tr.step(count - done);
                if (p.diverged) throw Error(ErrorKind::Value, "bench", "training diverged: " + p.message);
                done += p.done;
            }
        }, warm, n, P.reps, P.warm_s);
    };
    note("train_mb1");
    r.train_mb1_per_s = train_rate(1, P.mb1_warm, P.mb1_n);
    note("train_mb32");
    r.train_mb32_per_s = train_rate(32, 64, P.mb32_n);
    return r;
}

std::vector<std::pair<std::string, double>> bench_layers(const std::string& arch, const Dataset& data,
                                                         const BenchOptions& opt) {
    Protocol P;
    if (!(opt.scale > 0.0 && opt.scale <= 100.0))
        throw Error(ErrorKind::Usage, "bench", "scale must be in (0, 100]");
    const int warm = scaled(P.b1_warm, opt.scale), n = scaled(P.b1_n, opt.scale);
    const int M = std::min(data.count, 64);
    if (M < 1) throw Error(ErrorKind::Value, data.name.empty() ? "bench data" : data.name, "no digits");
    Network net(arch_load(arch));
    net.init(1);
    const size_t in = size_t(net.input_shape().size());
    const std::vector<float> x = prepared_inputs(net, data, M);
    Workspace ws(net);
    ws.want_input_grad = false;
    std::vector<std::pair<std::string, double>> r;
    net.forward(ws, x.data());
    for (int i = 0; i < int(net.layers().size()); ++i) {
        if (opt.progress) opt.progress(net.layers()[size_t(i)].name.c_str(), opt.user);
        const double s = measure([&](int count, int) { for (int k = 0; k < count; ++k) net.forward_layer(ws, i); },
                                 warm, n, P.reps, 0.2);
        r.emplace_back(net.layers()[size_t(i)].name, 1e6 * s);
    }
    if (opt.progress) opt.progress("forward", opt.user);
    r.emplace_back("forward", 1e6 * measure([&](int count, int off) {
        for (int k = 0; k < count; ++k) net.forward(ws, x.data() + size_t((off + k) % M) * in);
    }, warm, n, P.reps, 0.2));
    return r;
}

std::string bench_json(const BenchResult& r) {
    std::string name;
    for (char c : r.arch) {
        if (c == '"' || c == '\\') name += '\\';
        if (static_cast<unsigned char>(c) >= 0x20) name += c;
    }
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "{\"arch\": \"%s\", \"threads\": %d, \"infer_b1_us\": %.3f, \"infer_batch_per_s\": %.1f, "
                  "\"train_mb1_per_s\": %.1f, \"train_mb32_per_s\": %.1f}",
                  name.c_str(), r.threads, r.infer_b1_us, r.infer_batch_per_s, r.train_mb1_per_s,
                  r.train_mb32_per_s);
    return buf;
}

}  // namespace lenet
