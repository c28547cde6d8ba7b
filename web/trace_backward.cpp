// web/trace_backward.cpp — the backward trace arithmetic of trace_backward.h: pure functions of the
// network and a workspace after forward, loss and backward. Sums are in double over the engine's
// float values, so they agree with the engine's float sums to rounding; the tolerance scales with
// the sum of the terms' magnitudes.
#include "trace_backward.h"

#include "trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lenet_web {

namespace {

constexpr double kRel = 1e-4;  // relative to the sum of |terms|: float sums of up to ~1,000 terms
// The engine's f'(a) in float: (S/A)(A^2 - f^2) loses up to a few ulps of A^2 when f nears A (a
// saturated unit), an absolute error of about 1e-7 that can be large against a tiny f'.
constexpr double kFprime = 1e-6;

// |a - b| within rounding of a float sum whose terms' magnitudes add up to `scale`.
bool close(double a, double b, double scale) {
    return std::fabs(a - b) <= kRel * scale + 1e-6 * std::fabs(b) + 1e-12;
}

// "C3[4][2][3]" for a unit of a map, "F6[7]" for a unit of a vector.
std::string unit_name(const std::string& layer, const lenet::Shape& s, int m, int y, int x) {
    char b[96];
    if (s.h * s.w > 1) std::snprintf(b, sizeof b, "%s[%d][%d][%d]", layer.c_str(), m, y, x);
    else std::snprintf(b, sizeof b, "%s[%d]", layer.c_str(), m);
    return b;
}

std::string input_name(const lenet::Network& net, int layer) {
    return layer == 0 ? "INPUT" : net.layers()[size_t(layer) - 1].name;
}

const float* layer_input(const lenet::Workspace& ws, int layer) {
    return layer == 0 ? ws.input() : ws.out(layer - 1);
}

// f'(a) as the engine takes it: from the unit's output (tanh family) or pre-activation (relu).
double activation_derivative(lenet::Activation act, double pre, double out) {
    switch (act) {
        case lenet::Activation::ScaledTanh: {
            const double A = 1.7159, S = 2.0 / 3.0;  // f(a) = A tanh(S a): f' = (S / A)(A^2 - f^2)
            return S / A * (A * A - out * out);
        }
        case lenet::Activation::Tanh: return 1.0 - out * out;
        case lenet::Activation::Sigmoid: return out * (1.0 - out);
        case lenet::Activation::Relu: return pre > 0.0 ? 1.0 : 0.0;
        case lenet::Activation::None: return 1.0;
    }
    return 1.0;
}

// dE/dy_k of the last layer for `label`, recomputed from the outputs with the network's loss.
void loss_gradient(const lenet::Network& net, const lenet::Workspace& ws, int label, int k, BackTrace& t) {
    const lenet::LayerInfo& last = net.layers().back();
    const int n = int(last.out.size());
    const float* y = ws.out(int(net.layers().size()) - 1);
    const bool rbf = last.type == lenet::LayerType::Rbf;
    t.t = k == label ? 1.0 : 0.0;
    char b[200];
    switch (net.spec().loss) {
        case lenet::LossKind::Mse:
            if (rbf) {  // eq. 8: E = y_label
                t.d_out = t.t;
                std::snprintf(b, sizeof b, "E = y_%d (eq. 8): dE/dy_%d = %s", label, k, k == label ? "1" : "0");
            } else {
                const double lo = last.activation == lenet::Activation::ScaledTanh ? -1.0 : 0.0;
                if (k != label) t.t = lo;
                t.d_out = double(y[k]) - t.t;
                std::snprintf(b, sizeof b, "E = 1/2 sum (y - t)^2: dE/dy_%d = y - t = %.4f - %.0f = %.4f", k,
                              double(y[k]), t.t, t.d_out);
            }
            break;
        case lenet::LossKind::Map: {  // eq. 9: E = y_D + log(e^-j + sum_i e^-y_i)
            const double j = net.spec().map_j;
            double z = std::exp(-j);
            for (int i = 0; i < n; ++i) z += std::exp(-double(y[i]));
            t.p = std::exp(-double(y[k])) / z;
            t.d_out = t.t - t.p;
            std::snprintf(b, sizeof b, "MAP (eq. 9): dE/dy_%d = [%d = label] - e^-y_%d / (e^-j + sum e^-y) = %.0f - %.4f = %.4f",
                          k, k, k, t.t, t.p, t.d_out);
            break;
        }
        case lenet::LossKind::Xent: {  // softmax cross-entropy on z = y (an rbf output: z = -y)
            const double sgn = rbf ? -1.0 : 1.0;
            double m = -1e300, z = 0.0;
            for (int i = 0; i < n; ++i) m = std::max(m, sgn * y[i]);
            for (int i = 0; i < n; ++i) z += std::exp(sgn * y[i] - m);
            t.p = std::exp(sgn * y[k] - m) / z;
            t.d_out = sgn * (t.p - t.t);
            if (rbf)
                std::snprintf(b, sizeof b, "cross-entropy of softmax(-y): dE/dy_%d = -(p - t) = -(%.4f - %.0f) = %.4f", k,
                              t.p, t.t, t.d_out);
            else
                std::snprintf(b, sizeof b, "cross-entropy of softmax(y): dE/dy_%d = p - t = %.4f - %.0f = %.4f", k, t.p,
                              t.t, t.d_out);
            break;
        }
    }
    t.rule = b;
}

// The terms of dE/d(out) of unit (m, y, x) of `layer` from the next layer's deltas.
void next_layer_terms(const lenet::Network& net, const lenet::Workspace& ws, int layer, int m, int y, int x,
                      BackTrace& t) {
    const int n = layer + 1;
    const lenet::LayerSpec& S = net.spec().layers[size_t(n)];
    const lenet::LayerInfo& N = net.layers()[size_t(n)];
    const lenet::Shape is = N.in, os = N.out;
    const float* dn = ws.grad_pre(n);
    const float* w = net.params().data() + N.weight_offset;
    const size_t j = (size_t(m) * is.h + y) * is.w + x;  // the unit's index in the next layer's input
    t.next = N.name;
    char b[96];
    switch (S.type) {
        case lenet::LayerType::Conv: {
            const int K = S.kernel, St = S.stride, P = S.padding, I = is.c;
            for (int o : fed_maps(net, n, m)) {
                BackGroup g;
                g.title = "to " + N.name + " map " + std::to_string(o);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx) {
                        // output (oy, ox) reads input (oy St - P + ky, ox St - P + kx)
                        const int ny = y + P - ky, nx = x + P - kx;
                        if (ny < 0 || nx < 0 || ny % St || nx % St) continue;
                        const int oy = ny / St, ox = nx / St;
                        if (oy >= os.h || ox >= os.w) continue;
                        std::snprintf(b, sizeof b, "%s.weight[%d][%d][%d][%d]", N.name.c_str(), o, m, ky, kx);
                        g.terms.push_back({w[((size_t(o) * I + m) * K + ky) * K + kx],
                                           dn[(size_t(o) * os.h + oy) * os.w + ox], unit_name(N.name, os, o, oy, ox), b});
                    }
                t.groups.push_back(std::move(g));
            }
            break;
        }
        case lenet::LayerType::Pool: {
            const int K = S.kernel, St = S.stride;
            const float* in = ws.out(layer);
            BackGroup g;
            g.title = "to " + N.name + " map " + std::to_string(m);
            for (int py = std::max(0, (y - K + St) / St); py <= std::min(os.h - 1, y / St); ++py)
                for (int px = std::max(0, (x - K + St) / St); px <= std::min(os.w - 1, x / St); ++px) {
                    if (y - py * St >= K || x - px * St >= K) continue;
                    float mult = 0.0f;
                    if (S.pool == lenet::PoolMode::Subsample) {
                        mult = w[m];
                        std::snprintf(b, sizeof b, "%s.coeff[%d]", N.name.c_str(), m);
                    } else if (S.pool == lenet::PoolMode::Avg) {
                        mult = 1.0f / float(K * K);
                        std::snprintf(b, sizeof b, "1/%d (average)", K * K);
                    } else {  // the gradient goes to the window's first maximum, as in the engine
                        const float* ip = in + size_t(m) * is.h * is.w;
                        int by = py * St, bx = px * St;
                        for (int ky = 0; ky < K; ++ky)
                            for (int kx = 0; kx < K; ++kx)
                                if (ip[(py * St + ky) * is.w + px * St + kx] > ip[by * is.w + bx]) {
                                    by = py * St + ky;
                                    bx = px * St + kx;
                                }
                        mult = by == y && bx == x ? 1.0f : 0.0f;
                        std::snprintf(b, sizeof b, "%s", mult != 0.0f ? "1 (the window's max)" : "0 (not the max)");
                    }
                    g.terms.push_back({mult, dn[(size_t(m) * os.h + py) * os.w + px], unit_name(N.name, os, m, py, px), b});
                }
            t.groups.push_back(std::move(g));
            break;
        }
        case lenet::LayerType::Full: {
            const size_t I = size_t(is.size());
            BackGroup g;
            g.title = "to " + N.name;
            for (int o = 0; o < os.c; ++o) {
                std::snprintf(b, sizeof b, "%s.weight[%d][%zu]", N.name.c_str(), o, j);
                g.terms.push_back({w[size_t(o) * I + j], dn[o], unit_name(N.name, os, o, 0, 0), b});
            }
            t.groups.push_back(std::move(g));
            break;
        }
        case lenet::LayerType::Rbf: {  // y_o = sum_j (x_j - p_oj)^2: dy_o/dx_j = 2 (x_j - p_oj)
            const size_t I = size_t(is.size());
            const float* proto = net.fixed().data() + N.fixed_offset;
            const float xj = ws.out(layer)[j];
            BackGroup g;
            g.title = "to " + N.name;
            for (int o = 0; o < os.c; ++o) {
                const float p = proto[size_t(o) * I + j];
                std::snprintf(b, sizeof b, "2(x - p) = 2(%.3f - %.0f)", double(xj), double(p));
                g.terms.push_back({2.0f * (xj - p), dn[o], unit_name(N.name, os, o, 0, 0), b});
            }
            t.groups.push_back(std::move(g));
            break;
        }
    }
}

}  // namespace

std::vector<int> fed_maps(const lenet::Network& net, int layer, int i) {
    std::vector<int> maps;  // the inverse of feeding_maps, so the connection rule stays in one place
    for (int o = 0; o < net.layers()[size_t(layer)].out.c; ++o) {
        const std::vector<int> f = feeding_maps(net, layer, o);
        if (std::find(f.begin(), f.end(), i) != f.end()) maps.push_back(o);
    }
    return maps;
}

BackTrace trace_backward(const lenet::Network& net, const lenet::Workspace& ws, int label, int layer, int map,
                         int y, int x) {
    BackTrace t;
    const int L = int(net.layers().size());
    if (layer < 0 || layer >= L) return t;
    const lenet::LayerInfo& info = net.layers()[size_t(layer)];
    const lenet::Shape s = info.out;
    if (map < 0 || map >= s.c || y < 0 || y >= s.h || x < 0 || x >= s.w) return t;
    if (layer == L - 1 && (label < 0 || label >= int(s.size()))) return t;
    const size_t u = (size_t(map) * s.h + y) * s.w + x;
    t.out = ws.out(layer)[u];
    t.pre = ws.pre(layer)[u];
    double scale = 0.0;
    if (layer == L - 1) {
        t.from_loss = true;
        loss_gradient(net, ws, label, map, t);
        scale = std::max(1.0, std::fabs(t.d_out));
    } else {
        next_layer_terms(net, ws, layer, map, y, x, t);
        for (BackGroup& g : t.groups) {
            for (const BackTerm& term : g.terms) {
                g.sum += double(term.w) * double(term.d);
                g.abs_sum += std::fabs(double(term.w) * double(term.d));
            }
            t.d_out += g.sum;
            scale += g.abs_sum;
            t.terms += int(g.terms.size());
        }
    }
    t.fprime = activation_derivative(info.activation, double(t.pre), double(t.out));
    t.d_pre = t.fprime * t.d_out;
    t.engine_d_out = ws.grad_out(layer)[u];
    t.engine_d_pre = ws.grad_pre(layer)[u];
    t.matches = close(t.d_out, double(t.engine_d_out), scale) &&
                close(t.d_pre, double(t.engine_d_pre), std::fabs(t.fprime) * scale + kFprime * std::fabs(t.d_out) / kRel);
    t.valid = true;
    return t;
}

WeightPick default_weight(const lenet::Network& net, const lenet::Workspace& ws, int layer, int map) {
    WeightPick p;
    p.o = map;
    if (layer < 0 || layer >= int(net.layers().size())) return p;
    const lenet::LayerSpec& S = net.spec().layers[size_t(layer)];
    const lenet::LayerInfo& L = net.layers()[size_t(layer)];
    if (S.type == lenet::LayerType::Conv) {
        const std::vector<int> maps = feeding_maps(net, layer, std::clamp(map, 0, L.out.c - 1));
        p.i = maps.empty() ? 0 : maps.front();
        p.ky = p.kx = S.kernel / 2;
    } else if (S.type == lenet::LayerType::Full) {
        const float* in = layer_input(ws, layer);
        for (int j = 1; j < int(L.in.size()); ++j)
            if (std::fabs(in[j]) > std::fabs(in[p.i])) p.i = j;
    }
    return p;
}

WeightTrace trace_weight(const lenet::Network& net, const lenet::Workspace& ws, const float* grad, int layer,
                         const WeightPick& k) {
    WeightTrace t;
    if (layer < 0 || layer >= int(net.layers().size()) || !grad) return t;
    const lenet::LayerSpec& S = net.spec().layers[size_t(layer)];
    const lenet::LayerInfo& L = net.layers()[size_t(layer)];
    const lenet::Shape is = L.in, os = L.out;
    const float* in = layer_input(ws, layer);
    const float* d = ws.grad_pre(layer);
    const std::string iname = input_name(net, layer);
    if (k.o < 0 || k.o >= os.c) return t;
    size_t index = 0;  // into the layer's weight tensor
    char b[128];
    switch (S.type) {
        case lenet::LayerType::Conv: {
            const int K = S.kernel, St = S.stride, P = S.padding, O = os.c;
            if (k.i < 0 || k.i >= is.c || k.ky < 0 || k.ky >= K || k.kx < 0 || k.kx >= K) return t;
            if (!S.table.empty() && !S.table[size_t(k.i) * O + k.o]) return t;
            index = ((size_t(k.o) * is.c + k.i) * K + k.ky) * K + k.kx;
            std::snprintf(b, sizeof b, "%s.weight[%d][%d][%d][%d]", L.name.c_str(), k.o, k.i, k.ky, k.kx);
            t.name = b;
            t.grad.title = "over " + L.name + " map " + std::to_string(k.o);
            for (int oy = 0; oy < os.h; ++oy)
                for (int ox = 0; ox < os.w; ++ox) {
                    const int iy = oy * St - P + k.ky, ix = ox * St - P + k.kx;
                    if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue;  // zero padding: no term
                    t.grad.terms.push_back({in[(size_t(k.i) * is.h + iy) * is.w + ix],
                                            d[(size_t(k.o) * os.h + oy) * os.w + ox], unit_name(L.name, os, k.o, oy, ox),
                                            unit_name(iname, is, k.i, iy, ix)});
                }
            break;
        }
        case lenet::LayerType::Pool: {
            if (S.pool != lenet::PoolMode::Subsample) return t;
            const int K = S.kernel, St = S.stride;
            index = size_t(k.o);
            t.name = L.name + ".coeff[" + std::to_string(k.o) + "]";
            t.grad.title = "over " + L.name + " map " + std::to_string(k.o) + ": window sum x delta";
            for (int oy = 0; oy < os.h; ++oy)
                for (int ox = 0; ox < os.w; ++ox) {
                    double sum = 0.0;
                    for (int ky = 0; ky < K; ++ky)
                        for (int kx = 0; kx < K; ++kx) sum += in[(size_t(k.o) * is.h + oy * St + ky) * is.w + ox * St + kx];
                    std::snprintf(b, sizeof b, "sum %s[%d][%d..%d][%d..%d]", iname.c_str(), k.o, oy * St, oy * St + K - 1,
                                  ox * St, ox * St + K - 1);
                    t.grad.terms.push_back({float(sum), d[(size_t(k.o) * os.h + oy) * os.w + ox],
                                            unit_name(L.name, os, k.o, oy, ox), b});
                }
            break;
        }
        case lenet::LayerType::Full: {
            const int I = int(is.size());
            if (k.i < 0 || k.i >= I) return t;
            index = size_t(k.o) * I + k.i;
            std::snprintf(b, sizeof b, "%s.weight[%d][%d]", L.name.c_str(), k.o, k.i);
            t.name = b;
            t.grad.title = "one sample: input x delta";
            const int hw = is.h * is.w;  // the flattened input, named by its map and position
            t.grad.terms.push_back({in[k.i], d[k.o], unit_name(L.name, os, k.o, 0, 0),
                                    unit_name(iname, is, k.i / hw, k.i % hw / is.w, k.i % is.w)});
            break;
        }
        case lenet::LayerType::Rbf: return t;  // fixed prototypes: nothing to learn
    }
    double bias_abs = 0.0;
    const size_t per_map = size_t(os.h) * os.w;
    for (size_t q = 0; q < per_map; ++q) {
        t.bias_grad += double(d[size_t(k.o) * per_map + q]);
        bias_abs += std::fabs(double(d[size_t(k.o) * per_map + q]));
    }
    t.bias_terms = int(per_map);
    for (const BackTerm& term : t.grad.terms) {
        t.grad.sum += double(term.w) * double(term.d);
        t.grad.abs_sum += std::fabs(double(term.w) * double(term.d));
    }
    t.w = net.params()[L.weight_offset + index];
    t.engine_grad = grad[L.weight_offset + index];
    t.engine_bias_grad = grad[L.bias_offset + size_t(k.o)];
    t.matches = close(t.grad.sum, double(t.engine_grad), t.grad.abs_sum) &&
                close(t.bias_grad, double(t.engine_bias_grad), bias_abs);
    t.valid = true;
    return t;
}

}  // namespace lenet_web
