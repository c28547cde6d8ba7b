// batch.cpp — batch-parallel inference: predict_batch over a persistent pool of native threads.
//
// The pool is created on first use with hardware_threads() - 1 helpers (the caller is thread 0) and
// lives until exit. Each thread keeps one Workspace per network layout (thread_local), so a batch
// allocates nothing per digit. Threads claim chunks of 8 digits until none are left (a thread slowed by
// other processes takes fewer); every digit's result depends only on its own input, so results are
// identical for any thread count and schedule.
// Single-threaded wasm builds run everything on the caller.
#include "lenet/lenet.h"

#include "kernels.h"
#include "layers.h"
#include "workspace.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define LENET_NO_THREADS 1
#else
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace lenet {

namespace {

// The workspace this thread uses for `net` (re-made when the layout differs).
Workspace& thread_workspace(const Network& net) {
    thread_local std::unique_ptr<Workspace> ws;
    if (!ws || !ws->impl().fits(net)) {
        ws.reset(new Workspace(net));
        ws->want_input_grad = false;
    }
    return *ws;
}

struct BatchJob {
    const Network*    net;
    const float*      inputs;
    int*              labels;
    float*            outputs;
    int               n, parts;
    std::atomic<int>* next;   // next chunk to claim (threaded runs), or null: part = a fixed range
    int               dense;  // the layer run for several digits at once (batched_layer), or -1
};

constexpr int kChunk = 8;  // digits per claim: threads take chunks until none are left, so a thread
                           // slowed down by other processes does less of the batch instead of
                           // holding everyone up

void run_range(const BatchJob& j, int lo, int hi);

void run_part(const BatchJob& j, int part) {
    if (!j.next) {
        run_range(j, int(int64_t(j.n) * part / j.parts), int(int64_t(j.n) * (part + 1) / j.parts));
        return;
    }
    for (int c; (c = j.next->fetch_add(1)) * kChunk < j.n;) run_range(j, c * kChunk, std::min(j.n, (c + 1) * kChunk));
}

// The layer run_range computes for a chunk's digits at once, or -1: the first dense layer after the
// input layer (a full layer, or a conv whose kernel covers its input such as C5), when the kernels
// cover it (kernels::dense_forward_multi; not the portable loops). At batch 1 its weights stream
// from L2 for every digit (C5: 192 KB, ~20% of a forward pass). Decided once per batch.
int batched_layer(const Network& net) {
    const std::vector<LayerSpec>& L = net.spec().layers;
    for (int i = 1; i < int(L.size()); ++i) {
        const LayerSpec& s = L[size_t(i)];
        const LayerInfo& f = net.layers()[size_t(i)];
        const bool dense = s.type == LayerType::Full ||
                           (s.type == LayerType::Conv && detail::conv_covers_input(f.in, s.kernel, s.padding));
        if (!dense) continue;
        const float* w = net.params().data() + f.weight_offset;
        const float* b = net.params().data() + f.bias_offset;
        const bool covered = kernels::dense_forward_multi(nullptr, 0, nullptr, 0, 0, w, b, int(f.in.size()), f.out.c);
        return covered ? i : -1;
    }
    return -1;
}

void emit(const BatchJob& j, int i, const float* y, size_t out_size) {
    if (j.labels) j.labels[i] = j.net->best_label(y);
    if (j.outputs) std::copy(y, y + out_size, j.outputs + size_t(i) * out_size);
}

void run_range(const BatchJob& j, int lo, int hi) {
    const Network& net = *j.net;
    if (lo >= hi) return;
    Workspace& ws = thread_workspace(net);
    const size_t in_size = size_t(net.input_shape().size());
    const size_t out_size = size_t(net.output_shape().size());
    const int last = int(net.layers().size()) - 1;
    const int m = hi - lo > 1 ? j.dense : -1;
    if (m > 0) {
        // Layers before m digit by digit, layer m's product for all the digits at once (the same bits
        // as digit by digit: kernels::dense_forward_multi), the rest digit by digit from its output.
        const LayerInfo& f = net.layers()[size_t(m)];
        const int I = int(f.in.size()), O = f.out.c, n = hi - lo;
        const float* w = net.params().data() + f.weight_offset;
        const float* b = net.params().data() + f.bias_offset;
        thread_local std::vector<float> xs, ps;  // layer m's inputs and products, kept per thread
        if (xs.size() < size_t(n) * I) xs.resize(size_t(n) * I);
        if (ps.size() < size_t(n) * O) ps.resize(size_t(n) * O);
        for (int d = 0; d < n; ++d) {
            net.set_input(ws, j.inputs + size_t(lo + d) * in_size);
            for (int l = 0; l < m; ++l) net.forward_layer(ws, l);
            std::copy(ws.out(m - 1), ws.out(m - 1) + I, xs.data() + size_t(d) * I);
        }
        kernels::dense_forward_multi(ps.data(), size_t(O), xs.data(), size_t(I), n, w, b, I, O);
        float* pre = ws.impl().pre.data() + f.act_offset;
        for (int d = 0; d < n; ++d) {
            std::copy(ps.data() + size_t(d) * O, ps.data() + size_t(d + 1) * O, pre);
            net.activate_layer(ws, m);
            for (int l = m + 1; l <= last; ++l) net.forward_layer(ws, l);
            emit(j, lo + d, ws.out(last), out_size);
        }
        return;
    }
    for (int i = lo; i < hi; ++i) {
        net.forward(ws, j.inputs + size_t(i) * in_size);
        emit(j, i, ws.out(last), out_size);
    }
}

#ifndef LENET_NO_THREADS
class BatchPool {
public:
    static BatchPool& get() {
        static BatchPool pool;
        return pool;
    }
    int helpers() const { return int(th_.size()); }
    // Runs parts 0 .. parts-1 of the job: part 0 on the caller, the others on helpers.
    void run(const BatchJob& job) {
        std::lock_guard<std::mutex> one(run_m_);  // one batch at a time through the pool
        const int extra = job.parts - 1;
        {
            std::lock_guard<std::mutex> lk(m_);
            job_ = job;
            pending_ = extra;
            next_ = 1;
            ++gen_;
        }
        cv_.notify_all();
        std::exception_ptr err;
        try {
            run_part(job, 0);
        } catch (...) {
            err = std::current_exception();
        }
        std::unique_lock<std::mutex> lk(m_);
        done_cv_.wait(lk, [this] { return pending_ == 0; });  // helpers finish before the job dies
        if (err) std::rethrow_exception(err);
    }
    ~BatchPool() {
        {
            std::lock_guard<std::mutex> lk(m_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : th_) t.join();
    }

private:
    BatchPool() {
        const int hw = int(std::max(1u, std::thread::hardware_concurrency()));
        for (int t = 1; t < std::min(hw, 64); ++t) th_.emplace_back([this] { loop(); });
    }
    void loop() {
        uint64_t seen = 0;
        for (;;) {
            BatchJob job;
            {
                std::unique_lock<std::mutex> lk(m_);
                cv_.wait(lk, [&] { return stop_ || gen_ != seen; });
                if (stop_) return;
                seen = gen_;
                job = job_;
            }
            // Helpers claim the remaining parts under the lock, for this generation only (a helper
            // that comes back late must not claim a part of a newer job with the old job's data).
            for (;;) {
                int part;
                {
                    std::lock_guard<std::mutex> lk(m_);
                    if (gen_ != seen || next_ >= job.parts) break;
                    part = next_++;
                }
                run_part(job, part);
                std::lock_guard<std::mutex> lk(m_);
                if (--pending_ == 0) done_cv_.notify_one();
            }
        }
    }
    std::vector<std::thread> th_;
    std::mutex run_m_, m_;
    std::condition_variable cv_, done_cv_;
    BatchJob job_{};
    int next_ = 1;
    int pending_ = 0;
    uint64_t gen_ = 0;
    bool stop_ = false;
};
#endif

}  // namespace

int hardware_threads() {
#ifdef LENET_NO_THREADS
    return 1;
#else
    return int(std::max(1u, std::thread::hardware_concurrency()));
#endif
}

void predict_batch(const Network& net, const float* inputs, int n, int* labels, float* outputs, int threads) {
    if (n < 0) throw Error(ErrorKind::Usage, "predict_batch", "n must be >= 0");
    if (n == 0) return;
    if (!inputs) throw Error(ErrorKind::Usage, "predict_batch", "inputs is null");
    // A part below ~16 digits costs more in wake-ups than it saves.
    int parts = std::max(1, std::min({threads, hardware_threads(), n / 16}));
    BatchJob job{&net, inputs, labels, outputs, n, parts, nullptr, n > 1 ? batched_layer(net) : -1};
#ifndef LENET_NO_THREADS
    std::atomic<int> next{0};
    job.next = &next;
    if (parts > 1) {
        BatchPool& pool = BatchPool::get();
        job.parts = std::min(parts, pool.helpers() + 1);
        if (job.parts > 1) {
            pool.run(job);
            return;
        }
    }
#endif
    job.parts = 1;
    run_part(job, 0);
}

}  // namespace lenet
