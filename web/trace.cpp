// web/trace.cpp — the trace arithmetic of trace.h: pure functions of the network and layer outputs.
#include "trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lenet_web {

int view_count(const lenet::Network& net) { return 1 + int(net.layers().size()); }

std::string view_name(const lenet::Network& net, int view) {
    if (view <= 0) return "INPUT";
    return net.layers()[size_t(std::min(view, view_count(net) - 1) - 1)].name;
}

lenet::Shape view_shape(const lenet::Network& net, int view) {
    if (view <= 0) return net.input_shape();
    return net.layers()[size_t(view - 1)].out;
}

std::vector<int> feeding_maps(const lenet::Network& net, int layer, int o) {
    const lenet::LayerSpec& S = net.spec().layers[size_t(layer)];
    const lenet::LayerInfo& L = net.layers()[size_t(layer)];
    std::vector<int> maps;
    if (S.type == lenet::LayerType::Pool) {
        maps.push_back(o);
    } else if (S.type == lenet::LayerType::Conv) {
        for (int i = 0; i < L.in.c; ++i)
            if (S.table.empty() || S.table[size_t(i) * L.out.c + o]) maps.push_back(i);
    } else {
        for (int i = 0; i < L.in.c; ++i) maps.push_back(i);
    }
    return maps;
}

Rect receptive_field(const lenet::Network& net, int view, int y, int x, int target) {
    Rect r{y, y, x, x};
    for (int v = view; v > target; --v) {
        const lenet::LayerSpec& S = net.spec().layers[size_t(v - 1)];
        const lenet::Shape in = view_shape(net, v - 1);
        if (S.type == lenet::LayerType::Conv || S.type == lenet::LayerType::Pool) {
            const int st = S.stride, k = S.kernel, pad = S.type == lenet::LayerType::Conv ? S.padding : 0;
            r = Rect{r.y0 * st - pad, r.y1 * st - pad + k - 1, r.x0 * st - pad, r.x1 * st - pad + k - 1};
        } else {
            r = Rect{0, in.h - 1, 0, in.w - 1};
        }
        r.y0 = std::max(r.y0, 0);
        r.x0 = std::max(r.x0, 0);
        r.y1 = std::min(r.y1, in.h - 1);
        r.x1 = std::min(r.x1, in.w - 1);
    }
    return r;
}

Trace trace_unit(const lenet::Network& net, const TraceUnit& u) {
    Trace t;
    const int v = u.view;
    if (v <= 0 || v >= view_count(net)) return t;
    const lenet::Shape out = view_shape(net, v), inshape = view_shape(net, v - 1);
    const int m = u.map, uy = u.y, ux = u.x;
    if (m < 0 || m >= out.c || uy < 0 || uy >= out.h || ux < 0 || ux >= out.w) return t;
    const float* in = u.in;
    if (!in || !u.pre || !u.out) return t;
    const int li = v - 1;
    const lenet::LayerSpec& S = net.spec().layers[size_t(li)];
    const lenet::LayerInfo& L = net.layers()[size_t(li)];
    const float* w = net.params().data() + L.weight_offset;
    const float* b = net.params().data() + L.bias_offset;
    const std::string prev = view_name(net, v - 1);
    char buf[96];
    auto at = [&](int map, int y, int x) -> float {  // zero outside (padding)
        if (y < 0 || y >= inshape.h || x < 0 || x >= inshape.w) return 0.0f;
        return in[(size_t(map) * inshape.h + y) * inshape.w + x];
    };
    switch (S.type) {
        case lenet::LayerType::Conv: {
            const int K = S.kernel, I = L.in.c;
            for (int i : feeding_maps(net, li, m)) {
                TraceGroup g;
                g.title = "from " + prev + " map " + std::to_string(i);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx) {
                        const int yy = uy * S.stride - S.padding + ky, xx = ux * S.stride - S.padding + kx;
                        std::snprintf(buf, sizeof buf, "%s[%d][%d][%d]", prev.c_str(), i, yy, xx);
                        g.terms.push_back({w[((size_t(m) * I + i) * K + ky) * K + kx], at(i, yy, xx), buf});
                    }
                t.groups.push_back(std::move(g));
            }
            t.bias = b[m];
            break;
        }
        case lenet::LayerType::Pool: {
            const int K = S.kernel;
            TraceGroup g;
            g.title = "window of " + prev + " map " + std::to_string(m);
            const float coeff = S.pool == lenet::PoolMode::Subsample ? w[m] : 1.0f / float(K * K);
            for (int dy = 0; dy < K; ++dy)
                for (int dx = 0; dx < K; ++dx) {
                    const int yy = uy * S.stride + dy, xx = ux * S.stride + dx;
                    std::snprintf(buf, sizeof buf, "%s[%d][%d][%d]", prev.c_str(), m, yy, xx);
                    g.terms.push_back({S.pool == lenet::PoolMode::Max ? 1.0f : coeff, at(m, yy, xx), buf});
                }
            t.groups.push_back(std::move(g));
            if (S.pool == lenet::PoolMode::Max) t.kind = Trace::Max;
            if (S.pool == lenet::PoolMode::Subsample) t.bias = b[m];
            break;
        }
        case lenet::LayerType::Full:
        case lenet::LayerType::Rbf: {
            const int I = int(L.in.size());
            const bool rbf = S.type == lenet::LayerType::Rbf;
            const float* wr = rbf ? net.fixed().data() + L.fixed_offset : w;
            TraceGroup g;
            g.title = rbf ? "squared differences to the prototype of " + u.class_name : "weights x inputs";
            for (int i = 0; i < I; ++i) {
                std::snprintf(buf, sizeof buf, "%s[%d]", prev.c_str(), i);
                g.terms.push_back({wr[size_t(m) * I + i], in[i], buf});
            }
            t.groups.push_back(std::move(g));
            if (rbf) t.kind = Trace::Rbf;
            else t.bias = b[m];
            break;
        }
    }
    double a = 0.0, mx = -1e300;
    for (TraceGroup& g : t.groups) {
        g.sum = 0.0;
        for (const TraceTerm& term : g.terms) {
            const double d = double(term.x) - double(term.w);
            g.sum += t.kind == Trace::Rbf ? d * d : double(term.w) * double(term.x);
            mx = std::max(mx, double(term.x));
        }
        a += g.sum;
        t.terms += int(g.terms.size());
    }
    t.a = t.kind == Trace::Max ? mx : a + t.bias;
    const size_t unit = (size_t(m) * out.h + uy) * out.w + ux;
    t.engine_a = u.pre[unit];
    t.engine_out = u.out[unit];
    t.matches = std::fabs(t.a - double(t.engine_a)) <= 1e-3 * std::max(1.0, std::fabs(t.a));
    t.valid = true;
    return t;
}

}  // namespace lenet_web
