// network.cpp — Network: parameter layout, the paper's counts, deterministic init, forward (whole
// and step-through), losses, backward and the diagonal Gauss-Newton second-derivative pass.
// Workspace: the per-sample buffers, allocated once; nothing here allocates during a pass.
//
// Parameter layout (all in one vector, llm.c style), layer after layer:
//   conv: weight (O, I, K, K) dense — weights a connection table leaves out stay 0 — then bias (O)
//   pool subsample: coeff (C) then bias (C);   full: weight (O, I) then bias (O);   avg/max/rbf: none
// RBF prototypes (O, I) live in fixed(), not in params().
#include "kernels.h"
#include "layers.h"
#include "lenet/lenet.h"
#include "workspace.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace lenet {

using namespace detail;

namespace {

// splitmix64 (Steele, Lea, Flood 2014), used to seed xoshiro256** (Blackman, Vigna 2018).
// Integer-only, so the same seed gives bit-identical weights on every platform and in wasm.
uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct Xoshiro256 {
    uint64_t s[4];
    explicit Xoshiro256(uint64_t seed) {
        for (uint64_t& v : s) v = splitmix64(seed);
    }
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t next() {
        const uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
        s[2] ^= t; s[3] = rotl(s[3], 45);
        return r;
    }
    // Uniform in [-r, r): u = k / 2^24 with a 24-bit k; 2u - 1 is exact in double, so the only
    // rounding is the one multiply and the conversion to float (no FMA contraction possible).
    float uniform_pm(double r) {
        const int64_t k = int64_t(next() >> 40);                  // 0 .. 2^24 - 1
        const double t = double(2 * k - (int64_t(1) << 24)) / double(int64_t(1) << 24);  // [-1, 1)
        return float(r * t);
    }
};

}  // namespace

// ================================================================================================
// Construction and counts
// ================================================================================================
Network::Network(const ArchSpec& spec) : spec_(spec) {
    arch_validate(spec_, spec_.name.empty() ? "spec" : spec_.name);
    Shape cur = spec_.input;
    size_t poff = 0, foff = 0, aoff = 0;
    for (const LayerSpec& L : spec_.layers) {
        LayerInfo info;
        info.name = L.name;
        info.type = L.type;
        info.activation = L.activation;
        info.in = cur;
        switch (L.type) {
            case LayerType::Conv: {
                const int O = L.units, I = cur.c, K = L.kernel;
                info.out = {O, (cur.h + 2 * L.padding - K) / L.stride + 1, (cur.w + 2 * L.padding - K) / L.stride + 1};
                const int64_t positions = int64_t(info.out.h) * info.out.w;
                int64_t weights = 0;
                for (int o = 0; o < O; ++o) {
                    int n = 0;
                    for (int i = 0; i < I; ++i) n += L.table.empty() ? 1 : L.table[size_t(i) * O + o];
                    const int64_t per_unit = int64_t(n) * K * K;  // weight uses per output unit
                    weights += per_unit;
                    info.connections += (per_unit + 1) * positions;  // + the bias
                    info.macs += per_unit * positions;
                    info.fan_in = std::max(info.fan_in, int(per_unit));
                }
                info.params = weights + O;
                info.weight_count = size_t(O) * I * K * K;
                info.bias_count = size_t(O);
                break;
            }
            case LayerType::Pool: {
                const int K = L.kernel;
                info.out = {cur.c, (cur.h - K) / L.stride + 1, (cur.w - K) / L.stride + 1};
                const bool sub = L.pool == PoolMode::Subsample;
                info.connections = info.out.size() * (int64_t(K) * K + (sub ? 1 : 0));
                info.macs = sub ? info.out.size() : 0;  // one multiply by the coefficient per unit
                info.fan_in = K * K;
                info.params = sub ? 2 * int64_t(cur.c) : 0;
                info.weight_count = sub ? size_t(cur.c) : 0;
                info.bias_count = sub ? size_t(cur.c) : 0;
                break;
            }
            case LayerType::Full: {
                const int64_t I = cur.size(), O = L.units;
                info.out = {L.units, 1, 1};
                info.connections = (I + 1) * O;
                info.macs = I * O;
                info.fan_in = int(I);
                info.params = I * O + O;
                info.weight_count = size_t(I * O);
                info.bias_count = size_t(O);
                break;
            }
            case LayerType::Rbf: {
                const int64_t I = cur.size(), O = L.units;
                info.out = {L.units, 1, 1};
                info.connections = I * O;
                info.macs = I * O;
                info.fan_in = int(I);
                info.fixed_count = size_t(I * O);
                break;
            }
        }
        info.weight_offset = poff;
        info.bias_offset = poff + info.weight_count;
        poff += info.weight_count + info.bias_count;
        info.fixed_offset = foff;
        foff += info.fixed_count;
        if (L.type == LayerType::Conv)
            scratch_size_ = std::max(scratch_size_, conv_scratch_size(info.in, info.out, L.kernel, L.stride, L.padding));
        info.act_offset = aoff;
        aoff += size_t(info.out.size());
        layers_.push_back(info);
        cur = info.out;
    }
    params_.assign(poff, 0.0f);
    fixed_.assign(foff, 0.0f);
    for (size_t i = 0; i < layers_.size(); ++i)
        if (spec_.layers[i].type == LayerType::Rbf) {  // prototypes: validated as digits-7x12
            const std::vector<float>& p = digit_prototypes_7x12();
            std::copy(p.begin(), p.end(), fixed_.begin() + long(layers_[i].fixed_offset));
        }
    act_size_ = aoff;
}

Totals Network::totals() const {
    Totals t;
    for (const LayerInfo& L : layers_) {
        t.params += L.params;
        t.connections += L.connections;
        t.macs += L.macs;
    }
    return t;
}

int Network::layer_index(const std::string& name) const {
    for (size_t i = 0; i < layers_.size(); ++i)
        if (layers_[i].name == name) return int(i);
    return -1;
}

std::vector<uint8_t> Network::trainable_mask() const {
    std::vector<uint8_t> mask(params_.size(), 1);
    for (size_t li = 0; li < layers_.size(); ++li) {
        const LayerSpec& L = spec_.layers[li];
        if (L.type != LayerType::Conv || L.table.empty()) continue;
        const LayerInfo& info = layers_[li];
        const int O = info.out.c, I = info.in.c;
        const size_t KK = size_t(L.kernel) * L.kernel;
        for (int o = 0; o < O; ++o)
            for (int i = 0; i < I; ++i)
                if (!L.table[size_t(i) * O + o])
                    std::fill_n(mask.begin() + long(info.weight_offset + (size_t(o) * I + i) * KK), KK, uint8_t(0));
    }
    return mask;
}

std::vector<TensorView> Network::tensors() {
    std::vector<TensorView> t;
    for (size_t li = 0; li < layers_.size(); ++li) {
        const LayerSpec& L = spec_.layers[li];
        const LayerInfo& info = layers_[li];
        float* w = params_.data() + info.weight_offset;
        float* b = params_.data() + info.bias_offset;
        switch (L.type) {
            case LayerType::Conv:
                t.push_back({L.name + ".weight", {info.out.c, info.in.c, L.kernel, L.kernel}, w, info.weight_count, true});
                t.push_back({L.name + ".bias", {info.out.c}, b, info.bias_count, true});
                break;
            case LayerType::Pool:
                if (L.pool == PoolMode::Subsample) {
                    t.push_back({L.name + ".coeff", {info.out.c}, w, info.weight_count, true});
                    t.push_back({L.name + ".bias", {info.out.c}, b, info.bias_count, true});
                }
                break;
            case LayerType::Full:
                t.push_back({L.name + ".weight", {info.out.c, info.in.size()}, w, info.weight_count, true});
                t.push_back({L.name + ".bias", {info.out.c}, b, info.bias_count, true});
                break;
            case LayerType::Rbf:
                t.push_back({L.name + ".prototypes", {info.out.c, info.in.size()},
                             fixed_.data() + info.fixed_offset, info.fixed_count, false});
                break;
        }
    }
    return t;
}

// ================================================================================================
// Init
// ================================================================================================
void Network::init(uint64_t seed) {
    Xoshiro256 rng(seed);
    std::fill(params_.begin(), params_.end(), 0.0f);
    auto bound = [&](int fan_in) {
        return spec_.init == InitKind::Lecun98 ? 2.4 / double(fan_in) : 1.0 / std::sqrt(double(fan_in));
    };
    for (size_t li = 0; li < layers_.size(); ++li) {
        const LayerSpec& L = spec_.layers[li];
        const LayerInfo& info = layers_[li];
        float* w = params_.data() + info.weight_offset;
        float* b = params_.data() + info.bias_offset;
        switch (L.type) {
            case LayerType::Conv: {
                const int O = info.out.c, I = info.in.c;
                const size_t KK = size_t(L.kernel) * L.kernel;
                for (int o = 0; o < O; ++o) {
                    int n = 0;  // connected input maps of this output map: its fan-in is n K K
                    for (int i = 0; i < I; ++i) n += L.table.empty() ? 1 : L.table[size_t(i) * O + o];
                    const double r = bound(n * int(KK));
                    for (int i = 0; i < I; ++i) {
                        if (!L.table.empty() && !L.table[size_t(i) * O + o]) continue;
                        float* wp = w + (size_t(o) * I + i) * KK;
                        for (size_t k = 0; k < KK; ++k) wp[k] = rng.uniform_pm(r);
                    }
                    b[o] = rng.uniform_pm(r);
                }
                break;
            }
            case LayerType::Pool:
                if (L.pool == PoolMode::Subsample) {
                    const double r = bound(L.kernel * L.kernel);
                    for (size_t c = 0; c < info.weight_count; ++c) w[c] = rng.uniform_pm(r);
                    for (size_t c = 0; c < info.bias_count; ++c) b[c] = rng.uniform_pm(r);
                }
                break;
            case LayerType::Full: {
                const double r = bound(info.fan_in);
                for (size_t k = 0; k < info.weight_count; ++k) w[k] = rng.uniform_pm(r);
                for (size_t k = 0; k < info.bias_count; ++k) b[k] = rng.uniform_pm(r);
                break;
            }
            case LayerType::Rbf: break;
        }
    }
}

// ================================================================================================
// Forward
// ================================================================================================
void Network::set_input(Workspace& ws, const float* input) const {
    ws.impl().check(*this);
    std::memcpy(ws.impl().input.data(), input, ws.impl().input.size() * sizeof(float));
    ws.impl().done = 0;
    ws.impl().label = -1;
}

namespace {
// Layer i's output from its pre-activation in ws; layers 0 .. i done (forward_layer, activate_layer).
void activate(const Network& net, Workspace& ws, int i) {
    const LayerInfo& info = net.layers()[size_t(i)];
    activation_forward(ws.impl().out.data() + info.act_offset, ws.impl().pre.data() + info.act_offset, size_t(info.out.size()),
                       net.spec().layers[size_t(i)].activation);
    ws.impl().done = i + 1;
    ws.impl().label = -1;
}
}  // namespace

void Network::forward_layer(Workspace& ws, int i) const {
    ws.impl().check(*this);
    if (i < 0 || i >= int(layers_.size()))
        throw Error(ErrorKind::Usage, "forward_layer", "layer index " + std::to_string(i) + " out of range");
    if (ws.impl().done < i)
        throw Error(ErrorKind::Usage, "forward_layer", "layer " + std::to_string(i) + " needs layer " +
                                                           std::to_string(i - 1) + " computed first");
    const LayerSpec& L = spec_.layers[size_t(i)];
    const LayerInfo& info = layers_[size_t(i)];
    const float* in = i == 0 ? ws.impl().input.data() : ws.impl().out.data() + layers_[size_t(i) - 1].act_offset;
    float* pre = ws.impl().pre.data() + info.act_offset;
    const float* w = params_.data() + info.weight_offset;
    const float* b = params_.data() + info.bias_offset;
    switch (L.type) {
        case LayerType::Conv:
            conv_forward(pre, in, w, b, L.table.empty() ? nullptr : L.table.data(), info.in, info.out, L.kernel,
                         L.stride, L.padding, ws.impl().scratch.data());
            break;
        case LayerType::Pool:
            pool_forward(pre, in, w, b, L.pool, info.in, info.out, L.kernel, L.stride);
            break;
        case LayerType::Full:
            full_forward(pre, in, w, b, int(info.in.size()), info.out.c);
            break;
        case LayerType::Rbf:
            rbf_forward(pre, in, fixed_.data() + info.fixed_offset, int(info.in.size()), info.out.c);
            break;
    }
    activate(*this, ws, i);
}

void Network::activate_layer(Workspace& ws, int i) const {
    ws.impl().check(*this);
    if (i < 0 || i >= int(layers_.size()) || ws.impl().done < i)
        throw Error(ErrorKind::Usage, "activate_layer", "layer " + std::to_string(i) + " is out of range or not reached");
    activate(*this, ws, i);
}

void Network::forward(Workspace& ws, const float* input) const {
    set_input(ws, input);
    for (int i = 0; i < int(layers_.size()); ++i) forward_layer(ws, i);
}

bool Network::outputs_are_penalties() const {
    return spec_.layers.back().type == LayerType::Rbf || spec_.loss == LossKind::Map;
}

int Network::best_label(const float* y) const {
    const int n = int(layers_.back().out.size());
    const bool smaller = outputs_are_penalties();
    int best = 0;
    for (int k = 1; k < n; ++k)
        if (smaller ? y[k] < y[best] : y[k] > y[best]) best = k;
    return best;
}

Prediction Network::prediction(const Workspace& ws) const {
    ws.impl().check(*this);
    if (ws.impl().done != int(layers_.size()))
        throw Error(ErrorKind::Usage, "prediction", "run the forward pass through the last layer first");
    const LayerInfo& last = layers_.back();
    const float* y = ws.impl().out.data() + last.act_offset;
    const size_t n = size_t(last.out.size());
    Prediction p;
    p.scores.assign(y, y + n);
    p.label = best_label(y);
    if (!outputs_are_penalties() && spec_.loss == LossKind::Xent) {
        const double m = y[p.label];
        double z = 0.0;
        for (size_t k = 0; k < n; ++k) z += std::exp(double(y[k]) - m);
        for (size_t k = 0; k < n; ++k) p.scores[k] = float(std::exp(double(y[k]) - m) / z);
    }
    return p;
}

// ================================================================================================
// Loss
// ================================================================================================
float Network::loss(Workspace& ws, int label) const {
    ws.impl().check(*this);
    if (ws.impl().done != int(layers_.size()))
        throw Error(ErrorKind::Usage, "loss", "run the forward pass through the last layer first");
    const LayerInfo& last = layers_.back();
    const int n = int(last.out.size());
    if (label < 0 || label >= n)
        throw Error(ErrorKind::Value, "loss", "label " + std::to_string(label) + " out of range 0.." + std::to_string(n - 1));
    const float* y = ws.impl().out.data() + last.act_offset;
    float* g = ws.impl().grad.out.data() + last.act_offset;   // dE/dy
    float* h = ws.impl().hess.out.data() + last.act_offset;  // Gauss-Newton d2E/dy2 (diagonal, >= 0)
    const bool rbf = spec_.layers.back().type == LayerType::Rbf;
    double E = 0.0;
    switch (spec_.loss) {
        case LossKind::Mse:
            if (rbf) {  // eq. 8: E = y_D, the squared distance to the correct class's prototype
                E = y[label];
                for (int k = 0; k < n; ++k) { g[k] = k == label ? 1.0f : 0.0f; h[k] = 0.0f; }
            } else {    // 1/2 sum (y - t)^2, t = 1 for the label, else -1 (scaled_tanh) or 0
                const float lo = spec_.layers.back().activation == Activation::ScaledTanh ? -1.0f : 0.0f;
                for (int k = 0; k < n; ++k) {
                    const float d = y[k] - (k == label ? 1.0f : lo);
                    E += 0.5 * double(d) * d;
                    g[k] = d;
                    h[k] = 1.0f;
                }
            }
            break;
        case LossKind::Map: {  // eq. 9: E = y_D + log(e^-j + sum_i e^-y_i), computed stably
            const double j = spec_.map_j;
            double m = j;
            for (int k = 0; k < n; ++k) m = std::min(m, double(y[k]));
            double z = std::exp(-(j - m));
            for (int k = 0; k < n; ++k) z += std::exp(-(double(y[k]) - m));
            E = double(y[label]) - m + std::log(z);
            for (int k = 0; k < n; ++k) {
                const double p = std::exp(-(double(y[k]) - m)) / z;
                g[k] = float((k == label ? 1.0 : 0.0) - p);
                h[k] = float(p * (1.0 - p));
            }
            break;
        }
        case LossKind::Xent: {  // softmax cross-entropy on logits z = y (or -y for an rbf output)
            const double sgn = rbf ? -1.0 : 1.0;
            double m = -1e300;
            for (int k = 0; k < n; ++k) m = std::max(m, sgn * y[k]);
            double z = 0.0;
            for (int k = 0; k < n; ++k) z += std::exp(sgn * y[k] - m);
            E = std::log(z) - (sgn * y[label] - m);
            for (int k = 0; k < n; ++k) {
                const double p = std::exp(sgn * y[k] - m) / z;
                g[k] = float(sgn * (p - (k == label ? 1.0 : 0.0)));
                h[k] = float(p * (1.0 - p));
            }
            break;
        }
    }
    ws.impl().loss = float(E);
    ws.impl().label = label;
    return ws.impl().loss;
}

// ================================================================================================
// Backward (SQ = false: gradients; SQ = true: Gauss-Newton diagonal second derivatives)
// ================================================================================================
namespace {
// Per-sample update mode of backward_impl (Network::backward_update).
struct UpdateArgs {
    float*       params;   // the network's parameters, updated layer by layer
    const float* step;     // per-parameter steps or null
    float        s;        // the scalar step when step is null
    bool         keep;     // also leave every layer's gradient in acc
};

// w[k] -= step * g[k] over one layer's parameters: the kernels' rounding when they run (so that it
// matches their fused dense update), else the same expression here.
void apply_layer(float* w, const float* g, const float* step, float s, size_t n) {
    if (kernels::apply_sgd(w, g, step, s, n)) return;
    if (step)
        for (size_t k = 0; k < n; ++k) w[k] = w[k] - step[k] * g[k];
    else
        for (size_t k = 0; k < n; ++k) w[k] = w[k] - s * g[k];
}

// Dense layers whose weight gradient is a rank-1 product (full layers; convs covering their input
// without a table): the ones Workspace::set_deferred records.
bool dense_like(const LayerSpec& L, const LayerInfo& info) {
    if (L.type == LayerType::Full) return true;
    return L.type == LayerType::Conv && L.table.empty() && conv_covers_input(info.in, L.kernel, L.padding);
}

// grad += the recorded samples' dense weight gradients, in sample order.
void flush_impl(const Network& net, Workspace& ws, float* grad) {
    const int n = ws.impl().defer.n;
    ws.impl().defer.n = 0;
    ws.impl().defer.grad = nullptr;
    if (n == 0) return;
    const std::vector<LayerInfo>& layers = net.layers();
    for (size_t i = 0; i < layers.size(); ++i) {
        const size_t off = ws.impl().defer.off[i];
        if (off == SIZE_MAX) continue;
        const LayerInfo& info = layers[i];
        const int I = int(info.in.size()), O = info.out.c;
        const float* g = ws.impl().defer.rec.data() + off;
        const float* x = g + O;
        float* dw = grad + info.weight_offset;
        if (kernels::dense_weight_grads(dw, g, ws.impl().defer.stride, x, ws.impl().defer.stride, n, I, O)) continue;
        for (int s = 0; s < n; ++s)  // full_backward's portable loop, sample by sample
            full_weight_grad(dw, g + size_t(s) * ws.impl().defer.stride, x + size_t(s) * ws.impl().defer.stride, I, O);
    }
}

template <bool SQ>
void backward_impl(const Network& net, const std::vector<LayerInfo>& layers, Workspace& ws, float* acc,
                   const UpdateArgs* up = nullptr) {
    const ArchSpec& spec = net.spec();
    // Deferred dense weight gradients (set_deferred): with the kernels only (their rounding); a
    // sample without them first adds what was recorded, to keep the order of the sums.
    bool defer = false;
    if (!SQ && !up && ws.impl().defer.cap > 0) {
        if (ws.impl().defer.n > 0 && acc != ws.impl().defer.grad)
            throw Error(ErrorKind::Usage, "backward", "a different gradient buffer than the one with deferred "
                                                      "gradients (call flush_deferred first)");
        defer = kernels::isa() != kernels::Isa::Portable;
        if (ws.impl().defer.n == ws.impl().defer.cap || (!defer && ws.impl().defer.n > 0)) flush_impl(net, ws, acc);
    }
    float* slot = defer ? ws.impl().defer.rec.data() + size_t(ws.impl().defer.n) * ws.impl().defer.stride : nullptr;
    std::vector<float>& dout = SQ ? ws.impl().hess.out : ws.impl().grad.out;
    std::vector<float>& dpre = SQ ? ws.impl().hess.pre : ws.impl().grad.pre;
    std::vector<float>& din0 = SQ ? ws.impl().hess.in : ws.impl().grad.in;
    const float* params = net.params().data();
    for (int i = int(layers.size()) - 1; i >= 0; --i) {
        const LayerSpec& L = spec.layers[size_t(i)];
        const LayerInfo& info = layers[size_t(i)];
        const size_t n = size_t(info.out.size());
        const float* in = i == 0 ? ws.impl().input.data() : ws.impl().out.data() + layers[size_t(i) - 1].act_offset;
        float* gpre = dpre.data() + info.act_offset;
        activation_backward<SQ>(gpre, dout.data() + info.act_offset, ws.impl().pre.data() + info.act_offset,
                                ws.impl().out.data() + info.act_offset, n, L.activation);
        float* gin = nullptr;
        if (i > 0) gin = dout.data() + layers[size_t(i) - 1].act_offset;
        else if (ws.want_input_grad) gin = din0.data();
        if (gin) std::fill_n(gin, size_t(info.in.size()), 0.0f);
        const float* w = params + info.weight_offset;
        float* gw = acc + info.weight_offset;
        float* gb = acc + info.bias_offset;
        const size_t np = info.weight_count + info.bias_count;  // weights then biases, contiguous
        if (up && np > 0) {
            // This layer's weights are not read again in this pass: update them now. Dense layers
            // (and C5) without `keep`: fused, their gradient never stored; the rest: the layer's
            // gradient into its (zeroed) slice of acc, then applied.
            float* wm = up->params + info.weight_offset;
            float* bm = up->params + info.bias_offset;
            const float* sw = up->step ? up->step + info.weight_offset : nullptr;
            const float* sb = up->step ? up->step + info.bias_offset : nullptr;
            if (!up->keep && !SQ) {
                bool done = false;
                if (L.type == LayerType::Full)
                    done = kernels::dense_backward_update(gin, wm, bm, gpre, in, int(info.in.size()), info.out.c,
                                                          sw, sb, up->s);
                else if (L.type == LayerType::Conv)
                    done = kernels::conv_backward_update(gin, wm, bm, gpre, in,
                                                         L.table.empty() ? nullptr : L.table.data(), info.in,
                                                         info.out, L.kernel, L.stride, L.padding, sw, sb, up->s);
                if (done) continue;
            }
            std::fill_n(gw, np, 0.0f);
        }
        if (defer && ws.impl().defer.off[size_t(i)] != SIZE_MAX) {
            const int I = int(info.in.size()), O = info.out.c;
            float* rec = slot + ws.impl().defer.off[size_t(i)];
            std::copy(gpre, gpre + O, rec);
            std::copy(in, in + I, rec + O);
            if (kernels::dense_backward_no_dw(gin, gb, gpre, w, I, O)) continue;
        }
        switch (L.type) {
            case LayerType::Conv:
                conv_backward<SQ>(gin, gw, gb, gpre, in, w, L.table.empty() ? nullptr : L.table.data(), info.in,
                                  info.out, L.kernel, L.stride, L.padding, ws.impl().scratch.data());
                break;
            case LayerType::Pool:
                pool_backward<SQ>(gin, gw, gb, gpre, in, w, L.pool, info.in, info.out, L.kernel, L.stride);
                break;
            case LayerType::Full:
                full_backward<SQ>(gin, gw, gb, gpre, in, w, int(info.in.size()), info.out.c);
                break;
            case LayerType::Rbf: {
                const float* proto = net.fixed().data() + info.fixed_offset;
                if (SQ)  // the rbf is the last layer (validated); its dE/dy is the loss gradient
                    rbf_backward_h(gin, ws.impl().grad.out.data() + info.act_offset, gpre, in, proto, int(info.in.size()),
                                   info.out.c);
                else
                    rbf_backward(gin, gpre, in, proto, int(info.in.size()), info.out.c);
                break;
            }
        }
        if (up && np > 0)
            apply_layer(up->params + info.weight_offset, gw, up->step ? up->step + info.weight_offset : nullptr,
                        up->s, np);
    }
    if (defer) {
        ws.impl().defer.grad = acc;
        ws.impl().defer.n++;
    }
}
}  // namespace

void Network::backward(Workspace& ws, float* grad) const {
    ws.impl().check(*this);
    if (ws.impl().label < 0 || ws.impl().done != int(layers_.size()))
        throw Error(ErrorKind::Usage, "backward", "call forward() and loss() before backward()");
    backward_impl<false>(*this, layers_, ws, grad);
}

void Network::flush_deferred(Workspace& ws, float* grad) const {
    ws.impl().check(*this);
    if (ws.impl().defer.n > 0 && grad != ws.impl().defer.grad)
        throw Error(ErrorKind::Usage, "flush_deferred", "not the gradient buffer the deferred gradients belong to");
    flush_impl(*this, ws, grad);
}

void Network::backward_update(Workspace& ws, float* grad, const float* step, float s, bool keep_grad) {
    ws.impl().check(*this);
    if (ws.impl().label < 0 || ws.impl().done != int(layers_.size()))
        throw Error(ErrorKind::Usage, "backward_update", "call forward() and loss() before backward_update()");
    const UpdateArgs up{params_.data(), step, s, keep_grad};
    backward_impl<false>(*this, layers_, ws, grad, &up);
}

void Network::backward_hessian(Workspace& ws, float* hdiag) const {
    ws.impl().check(*this);
    if (ws.impl().label < 0 || ws.impl().done != int(layers_.size()))
        throw Error(ErrorKind::Usage, "backward_hessian", "call forward() and loss() before backward_hessian()");
    backward_impl<true>(*this, layers_, ws, hdiag);
}

void Workspace::set_deferred(const Network& net, int cap) {
    if (cap < 0 || cap > 65536)
        throw Error(ErrorKind::Usage, "set_deferred", "cap must be in [0, 65536], got " + std::to_string(cap));
    if (impl_->defer.n > 0)
        throw Error(ErrorKind::Usage, "set_deferred", "deferred gradients are pending (call flush_deferred first)");
    const std::vector<LayerInfo>& layers = net.layers();
    impl_->defer.off.assign(layers.size(), SIZE_MAX);
    impl_->defer.stride = 0;
    for (size_t i = 0; i < layers.size(); ++i)
        if (cap > 0 && dense_like(net.spec().layers[i], layers[i])) {
            impl_->defer.off[i] = impl_->defer.stride;
            impl_->defer.stride += size_t(layers[i].out.c) + size_t(layers[i].in.size());
        }
    impl_->defer.cap = impl_->defer.stride ? cap : 0;
    impl_->defer.rec.assign(size_t(impl_->defer.cap) * impl_->defer.stride, 0.0f);
    impl_->defer.grad = nullptr;
}

}  // namespace lenet
