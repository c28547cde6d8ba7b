// net_fixtures.h — helpers for the network tests: building small specs from JSON text, filling
// parameters and inputs with a test-local PRNG, running the loss, and an independent, deliberately
// plain double-precision reference implementation of every layer type, activation and loss (the
// oracle the engine is compared against; it shares nothing with engine/src except the public
// parameter layout of lenet.h).
#pragma once

#include "lenet/lenet.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nettest {

// A small LCG (Numerical Recipes constants) for test data; independent of the engine's PRNG.
struct Lcg {
    uint64_t s;
    explicit Lcg(uint64_t seed) : s(seed * 2862933555777941757ull + 3037000493ull) {}
    double uniform(double lo, double hi) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return lo + (hi - lo) * double(s >> 11) * (1.0 / 9007199254740992.0);
    }
};

inline lenet::ArchSpec spec_json(const std::string& text) { return lenet::arch_from_json(text, "test.json"); }

inline void fill_params(lenet::Network& net, uint64_t seed, double lo = -0.5, double hi = 0.5) {
    Lcg rng(seed);
    const std::vector<uint8_t> mask = net.trainable_mask();
    for (size_t k = 0; k < net.params().size(); ++k)
        net.params()[k] = mask[k] ? float(rng.uniform(lo, hi)) : 0.0f;
}

inline std::vector<float> random_input(const lenet::Network& net, uint64_t seed, double lo = -1, double hi = 1) {
    Lcg rng(seed);
    std::vector<float> x(size_t(net.input_shape().size()));
    for (float& v : x) v = float(rng.uniform(lo, hi));
    return x;
}

// A synthetic data set: n images of random pixels with random labels, MNIST's class names.
inline lenet::Dataset noise_data(int n, int rows, int cols, uint64_t seed) {
    lenet::Dataset d;
    d.name = "noise";
    d.count = n;
    d.rows = rows;
    d.cols = cols;
    d.pixels.resize(size_t(n) * size_t(rows) * size_t(cols));
    d.labels.resize(size_t(n));
    uint64_t s = seed;
    auto next = [&s] { s = s * 6364136223846793005ull + 1442695040888963407ull; return uint32_t(s >> 33); };
    for (uint8_t& p : d.pixels) p = uint8_t(next() % 256);
    for (uint8_t& l : d.labels) l = uint8_t(next() % 10);
    d.class_names = lenet::class_names("mnist");
    return d;
}

// Loss of the engine at the current parameters (float).
inline double engine_loss(const lenet::Network& net, lenet::Workspace& ws, const float* x, int label) {
    net.forward(ws, x);
    return net.loss(ws, label);
}

// ================================================================================================
// Reference implementation (double, straightforward loops with bounds checks everywhere).
// ================================================================================================
struct RefResult {
    std::vector<std::vector<double>> pre, out;  // per layer, (C, H, W) row-major
    double loss = 0;
};

inline double ref_act(lenet::Activation a, double v) {
    switch (a) {
        case lenet::Activation::None: return v;
        case lenet::Activation::ScaledTanh: return 1.7159 * std::tanh(2.0 / 3.0 * v);
        case lenet::Activation::Tanh: return std::tanh(v);
        case lenet::Activation::Sigmoid: return 1.0 / (1.0 + std::exp(-v));
        case lenet::Activation::Relu: return v > 0 ? v : 0;
    }
    return v;
}

// params/fixed/input in double; layout as documented in lenet.h (LayerInfo offsets).
inline RefResult ref_forward(const lenet::Network& net, const std::vector<double>& params,
                             const std::vector<double>& input, int label) {
    using namespace lenet;
    const ArchSpec& spec = net.spec();
    RefResult r;
    std::vector<double> cur = input;
    Shape cs = spec.input;
    for (size_t li = 0; li < spec.layers.size(); ++li) {
        const LayerSpec& L = spec.layers[li];
        const LayerInfo& info = net.layers()[li];
        const double* w = params.data() + info.weight_offset;
        const double* b = params.data() + info.bias_offset;
        Shape os;
        std::vector<double> pre;
        if (L.type == LayerType::Conv) {
            const int K = L.kernel, S = L.stride, P = L.padding;
            os = {L.units, (cs.h + 2 * P - K) / S + 1, (cs.w + 2 * P - K) / S + 1};
            pre.assign(size_t(os.size()), 0.0);
            for (int o = 0; o < os.c; ++o)
                for (int y = 0; y < os.h; ++y)
                    for (int x = 0; x < os.w; ++x) {
                        double s = b[o];
                        for (int i = 0; i < cs.c; ++i) {
                            if (!L.table.empty() && !L.table[size_t(i) * os.c + o]) continue;
                            for (int ky = 0; ky < K; ++ky)
                                for (int kx = 0; kx < K; ++kx) {
                                    const int iy = y * S + ky - P, ix = x * S + kx - P;
                                    if (iy < 0 || iy >= cs.h || ix < 0 || ix >= cs.w) continue;
                                    s += w[((o * cs.c + i) * K + ky) * K + kx] * cur[size_t((i * cs.h + iy) * cs.w + ix)];
                                }
                        }
                        pre[size_t((o * os.h + y) * os.w + x)] = s;
                    }
        } else if (L.type == LayerType::Pool) {
            const int K = L.kernel, S = L.stride;
            os = {cs.c, (cs.h - K) / S + 1, (cs.w - K) / S + 1};
            pre.assign(size_t(os.size()), 0.0);
            for (int c = 0; c < os.c; ++c)
                for (int y = 0; y < os.h; ++y)
                    for (int x = 0; x < os.w; ++x) {
                        double s = 0, m = -1e300;
                        for (int ky = 0; ky < K; ++ky)
                            for (int kx = 0; kx < K; ++kx) {
                                const double v = cur[size_t((c * cs.h + y * S + ky) * cs.w + x * S + kx)];
                                s += v;
                                m = v > m ? v : m;
                            }
                        double v = L.pool == PoolMode::Max ? m
                                 : L.pool == PoolMode::Avg ? s / (K * K)
                                                           : w[c] * s + b[c];
                        pre[size_t((c * os.h + y) * os.w + x)] = v;
                    }
        } else if (L.type == LayerType::Full) {
            os = {L.units, 1, 1};
            const int I = int(cs.size());
            pre.assign(size_t(L.units), 0.0);
            for (int o = 0; o < L.units; ++o) {
                double s = b[o];
                for (int j = 0; j < I; ++j) s += w[o * I + j] * cur[size_t(j)];
                pre[size_t(o)] = s;
            }
        } else {  // rbf
            os = {L.units, 1, 1};
            const int I = int(cs.size());
            const float* proto = net.fixed().data() + info.fixed_offset;
            pre.assign(size_t(L.units), 0.0);
            for (int o = 0; o < L.units; ++o) {
                double s = 0;
                for (int j = 0; j < I; ++j) {
                    const double d = cur[size_t(j)] - double(proto[o * I + j]);
                    s += d * d;
                }
                pre[size_t(o)] = s;
            }
        }
        std::vector<double> out(pre.size());
        for (size_t k = 0; k < pre.size(); ++k) out[k] = ref_act(L.activation, pre[k]);
        r.pre.push_back(pre);
        r.out.push_back(out);
        cur = out;
        cs = os;
    }
    // losses, written from the formulas of docs/engine.md
    const std::vector<double>& y = r.out.back();
    const int n = int(y.size());
    const bool rbf = spec.layers.back().type == LayerType::Rbf;
    if (label >= 0) {
        if (spec.loss == LossKind::Mse) {
            if (rbf) {
                r.loss = y[size_t(label)];
            } else {
                const double lo = spec.layers.back().activation == Activation::ScaledTanh ? -1.0 : 0.0;
                for (int k = 0; k < n; ++k) {
                    const double d = y[size_t(k)] - (k == label ? 1.0 : lo);
                    r.loss += 0.5 * d * d;
                }
            }
        } else if (spec.loss == LossKind::Map) {
            double z = std::exp(-double(spec.map_j));
            for (int k = 0; k < n; ++k) z += std::exp(-y[size_t(k)]);
            r.loss = y[size_t(label)] + std::log(z);
        } else {
            double z = 0;
            for (int k = 0; k < n; ++k) z += std::exp(rbf ? -y[size_t(k)] : y[size_t(k)]);
            r.loss = -((rbf ? -y[size_t(label)] : y[size_t(label)]) - std::log(z));
        }
    }
    return r;
}

inline std::vector<double> to_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

}  // namespace nettest
