// batch.cpp — batch-parallel inference: predict_batch over the engine's shared pool of native
// threads (pool.h: ThreadPool::shared(), made on the first batch that uses threads).
//
// Each thread keeps one Workspace per network layout (thread_local), so a batch allocates nothing
// per digit. Threads claim chunks of 8 digits until none are left (a thread slowed by other
// processes takes fewer); every digit's result depends only on its own input, so results are
// identical for any thread count and schedule. Without threads (single-threaded wasm) the caller
// runs the batch as one range.
#include "lenet/lenet.h"

#include "kernels.h"
#include "layers.h"
#include "pool.h"
#include "workspace.h"

#include <algorithm>
#include <atomic>
#include <memory>

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
    int               n;
    std::atomic<int>* next;   // next chunk to claim, or null: the whole batch as one range
    int               dense;  // the layer run for several digits at once (batched_layer), or -1
};

constexpr int kChunk = 8;  // digits per claim: threads take chunks until none are left, so a thread
                           // slowed down by other processes does less of the batch instead of
                           // holding everyone up

void run_range(const BatchJob& j, int lo, int hi);

// One thread's share of the batch: chunks until none are left.
void run_chunks(const BatchJob& j) {
    if (!j.next) {
        run_range(j, 0, j.n);
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

}  // namespace

void predict_batch(const Network& net, const float* inputs, int n, int* labels, float* outputs, int threads) {
    if (n < 0) throw Error(ErrorKind::Usage, "predict_batch", "n must be >= 0");
    if (n == 0) return;
    if (!inputs) throw Error(ErrorKind::Usage, "predict_batch", "inputs is null");
    // A part below ~16 digits costs more in wake-ups than it saves.
    const int parts = std::min({threads, hardware_threads(), n / 16});
    std::atomic<int> next{0};
    const BatchJob job{&net, inputs, labels, outputs, n, hardware_threads() > 1 ? &next : nullptr,
                       n > 1 ? batched_layer(net) : -1};
    if (parts > 1)
        detail::ThreadPool::shared().run(parts, [&job](int) { run_chunks(job); });
    else
        run_chunks(job);
}

}  // namespace lenet
