// network.cpp — Network: parameter layout, the paper's counts, named tensors, deterministic init,
// the forward pass (whole and step-through) and predictions. The loss and the backward passes are in
// backward.cpp; the Workspace buffers they run over in workspace.{h,cpp}.
//
// Parameter layout (all in one vector, llm.c style), layer after layer:
//   conv: weight (O, I, K, K) dense — weights a connection table leaves out stay 0 — then bias (O)
//   pool subsample: coeff (C) then bias (C);   full: weight (O, I) then bias (O);   avg/max/rbf: none
// RBF prototypes (O, I) live in fixed(), not in params().
#include "layers.h"
#include "rng.h"
#include "lenet/lenet.h"
#include "workspace.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace lenet {

using namespace detail;

namespace {

// xoshiro256** (Blackman, Vigna 2018), seeded by splitmix64. Integer-only, so the same seed gives
// bit-identical weights on every platform and in wasm.
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
        // Backward MACs: every multiply of the forward pass has one partner in dE/d(input) (the weight
        // times the unit's dE/dpre; rbf: 2(x - p) times it) and, where the multiplier is a trainable
        // weight, one in dE/dw (the input times dE/dpre; a subsampling coefficient: the window sum).
        info.grad_input_macs = info.macs;
        info.grad_weight_macs = L.type == LayerType::Rbf ? 0 : info.macs;
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
        t.grad_input_macs += L.grad_input_macs;
        t.grad_weight_macs += L.grad_weight_macs;
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

namespace {
// A layer's tensors in params(), named and shaped as PyTorch's (tensors(), layer_gradients): the
// weights (a subsample pool's coefficients), then the biases. Empty names: the layer has none.
struct ParamTensors {
    std::string          weight, bias;
    std::vector<int64_t> weight_shape, bias_shape;
};
ParamTensors param_tensors(const LayerSpec& L, const LayerInfo& info) {
    const std::string& n = L.name;
    const std::vector<int64_t> per_map{info.out.c};
    switch (L.type) {
        case LayerType::Conv:
            return {n + ".weight", n + ".bias", {info.out.c, info.in.c, L.kernel, L.kernel}, per_map};
        case LayerType::Pool:
            if (L.pool == PoolMode::Subsample) return {n + ".coeff", n + ".bias", per_map, per_map};
            return {};
        case LayerType::Full:
            return {n + ".weight", n + ".bias", {info.out.c, info.in.size()}, per_map};
        case LayerType::Rbf:
            return {};
    }
    return {};
}
}  // namespace

std::vector<TensorView> Network::tensors() {
    std::vector<TensorView> t;
    for (size_t li = 0; li < layers_.size(); ++li) {
        const LayerSpec& L = spec_.layers[li];
        const LayerInfo& info = layers_[li];
        const ParamTensors p = param_tensors(L, info);
        if (!p.weight.empty()) {
            t.push_back({p.weight, p.weight_shape, params_.data() + info.weight_offset, info.weight_count, true});
            t.push_back({p.bias, p.bias_shape, params_.data() + info.bias_offset, info.bias_count, true});
        }
        if (L.type == LayerType::Rbf)
            t.push_back({L.name + ".prototypes", {info.out.c, info.in.size()}, fixed_.data() + info.fixed_offset,
                         info.fixed_count, false});
    }
    return t;
}

std::vector<LayerGradients> Network::layer_gradients(const Workspace& ws, const float* grad) const {
    ws.impl().check(*this);
    std::vector<LayerGradients> g(layers_.size());
    for (size_t li = 0; li < layers_.size(); ++li) {
        const LayerInfo& info = layers_[li];
        const ParamTensors p = param_tensors(spec_.layers[li], info);
        LayerGradients& G = g[li];
        G.layer = int(li);
        G.d_out = {info.name + ".out", {info.out.c, info.out.h, info.out.w}, ws.grad_out(int(li)),
                   size_t(info.out.size())};
        if (!p.weight.empty()) {
            G.d_weight = {p.weight, p.weight_shape, grad + info.weight_offset, info.weight_count};
            G.d_bias = {p.bias, p.bias_shape, grad + info.bias_offset, info.bias_count};
        }
    }
    return g;
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
    return prediction(ws.impl().out.data() + layers_.back().act_offset);
}

Prediction Network::prediction(const float* y) const {
    const size_t n = size_t(layers_.back().out.size());
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

}  // namespace lenet
