// test_gradcheck.cpp — backward() against central finite differences of the engine's own forward
// pass, for every layer type (conv with and without a table, stride, padding; avg/max/subsample
// pooling, overlapping windows; full; rbf), every activation and every loss; and
// backward_hessian() against exact second derivatives where the Gauss-Newton diagonal is exact.
//
// Finite differences use the fourth-order stencil (-f(+2h) + 8 f(+h) - 8 f(-h) + f(-2h)) / 12h
// with h = 1e-2 on float forward passes: truncation error O(h^4), rounding about ulp(E) / h.
// Tolerance: |analytic - numeric| <= 1e-2 * max(|a|, |n|) + 2e-3 * max(1, largest |gradient|).
// Kinks (relu, max pooling; h = 1e-3 there): a coordinate is skipped when the set of active relu units or the max
// positions differ anywhere among the five evaluations; at most 10% may be skipped.
#include "net_fixtures.h"

#include <algorithm>

using namespace lenet;

namespace {

// Which relu units are active and where each max-pool window's maximum is.
std::vector<int> kink_signature(const Network& net, const Workspace& ws) {
    std::vector<int> sig;
    for (size_t li = 0; li < net.layers().size(); ++li) {
        const LayerSpec& L = net.spec().layers[li];
        const LayerInfo& info = net.layers()[li];
        if (L.activation == Activation::Relu)
            for (int64_t k = 0; k < info.out.size(); ++k) sig.push_back(ws.pre(int(li))[k] > 0.0f);
        if (L.type == LayerType::Pool && L.pool == PoolMode::Max) {
            const float* in = li == 0 ? ws.input() : ws.out(int(li) - 1);
            for (int c = 0; c < info.out.c; ++c)
                for (int y = 0; y < info.out.h; ++y)
                    for (int x = 0; x < info.out.w; ++x) {
                        int best = -1;
                        float bv = 0;
                        for (int ky = 0; ky < L.kernel; ++ky)
                            for (int kx = 0; kx < L.kernel; ++kx) {
                                const int idx = (c * info.in.h + y * L.stride + ky) * info.in.w + x * L.stride + kx;
                                if (best < 0 || in[idx] > bv) { best = idx; bv = in[idx]; }
                            }
                        sig.push_back(best);
                    }
        }
    }
    return sig;
}

struct FdResult { double value; bool kink; };

// Numeric derivative of the loss w.r.t. *v (a parameter or an input value).
FdResult numeric(const Network& net, Workspace& ws, float* v, const std::vector<float>& x, int label,
                 const std::vector<int>& sig0, double h) {
    const float saved = *v;
    const double steps[4] = {2 * h, h, -h, -2 * h};
    double E[4];
    bool kink = false;
    for (int s = 0; s < 4; ++s) {
        *v = float(double(saved) + steps[s]);
        E[s] = nettest::engine_loss(net, ws, x.data(), label);
        kink = kink || kink_signature(net, ws) != sig0;
    }
    *v = saved;
    const double step = (double(float(double(saved) + h)) - double(float(double(saved) - h))) / 2;  // actual h
    return {(-E[0] + 8 * E[1] - 8 * E[2] + E[3]) / (12 * step), kink};
}

void gradcheck(Network& net, int label, uint64_t seed, double input_lo = -1, double input_hi = 1, double h = 1e-2) {
    Workspace ws(net);
    std::vector<float> x = nettest::random_input(net, seed, input_lo, input_hi);
    std::vector<float> grad(net.params().size(), 0.0f);
    net.forward(ws, x.data());
    net.loss(ws, label);
    net.backward(ws, grad.data());
    const std::vector<float> dx(ws.grad_input(), ws.grad_input() + x.size());
    const std::vector<int> sig0 = kink_signature(net, ws);

    double gmax = 1.0;
    for (float g : grad) gmax = std::max(gmax, double(std::fabs(g)));
    for (float g : dx) gmax = std::max(gmax, double(std::fabs(g)));
    const double atol = 2e-3 * gmax, rtol = 1e-2;

    const std::vector<uint8_t> mask = net.trainable_mask();
    int checked = 0, skipped = 0, bad = 0;
    double worst = 0;
    auto compare = [&](double a, const FdResult& n, const std::string& what) {
        if (n.kink) { ++skipped; return; }
        ++checked;
        const double err = std::fabs(a - n.value);
        worst = std::max(worst, err / (atol + rtol * std::max(std::fabs(a), std::fabs(n.value))));
        if (err > atol + rtol * std::max(std::fabs(a), std::fabs(n.value))) {
            if (++bad <= 5) MESSAGE(what << ": analytic " << a << " numeric " << n.value);
        }
    };
    for (size_t k = 0; k < net.params().size(); ++k) {
        if (!mask[k]) {
            CHECK(grad[k] == 0.0f);  // absent table weights never get a gradient
            continue;
        }
        compare(grad[k], numeric(net, ws, &net.params()[k], x, label, sig0, h), "param " + std::to_string(k));
    }
    for (size_t k = 0; k < x.size(); ++k) {
        std::vector<float> xx = x;  // numeric() perturbs xx[k] in place and runs on xx
        const FdResult n = numeric(net, ws, &xx[k], xx, label, sig0, h);
        compare(dx[k], n, "input " + std::to_string(k));
    }
    MESSAGE(net.spec().name << " (" << loss_name(net.spec().loss) << "): " << checked << " checked, " << skipped
                            << " skipped at kinks, worst error / tolerance " << worst);
    CHECK(bad == 0);
    CHECK(checked > 0);
    CHECK(skipped <= (checked + skipped) / 10);
}

const char* kMini1998 = R"({"name": "mini-1998", "input": [1, 8, 8], "input_norm": "paper", "init": "lecun98",
  "loss": "LOSS", "layers": [
  {"name": "C1", "type": "conv", "maps": 3, "kernel": 3, "activation": "scaled_tanh"},
  {"name": "S2", "type": "pool", "mode": "subsample", "size": 2, "activation": "scaled_tanh"},
  {"name": "C3", "type": "conv", "maps": 4, "kernel": 2, "table": [[1,0,1,1],[1,1,0,1],[0,1,1,0]], "activation": "scaled_tanh"},
  {"name": "F6", "type": "full", "units": 84, "activation": "scaled_tanh"},
  {"name": "OUTPUT", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})";

const char* kMiniModern = R"({"name": "mini-modern", "input": [2, 8, 8], "loss": "LOSS", "layers": [
  {"name": "C1", "type": "conv", "maps": 4, "kernel": 3, "padding": 1, "activation": "tanh"},
  {"name": "S2", "type": "pool", "mode": "avg", "size": 2},
  {"name": "C3", "type": "conv", "maps": 5, "kernel": 3, "stride": 2, "padding": 1, "activation": "sigmoid"},
  {"name": "S4", "type": "pool", "mode": "avg", "size": 2, "stride": 1},
  {"name": "OUTPUT", "type": "full", "units": 6, "activation": "ACT"}]})";

const char* kMiniRelu = R"({"name": "mini-relu", "input": [1, 9, 9], "loss": "xent", "layers": [
  {"name": "C1", "type": "conv", "maps": 3, "kernel": 3, "activation": "relu"},
  {"name": "S2", "type": "pool", "mode": "max", "size": 3, "stride": 2},
  {"name": "C3", "type": "conv", "maps": 4, "kernel": 2, "stride": 1, "activation": "relu"},
  {"name": "S4", "type": "pool", "mode": "max", "size": 2},
  {"name": "F5", "type": "full", "units": 7, "activation": "relu"},
  {"name": "OUTPUT", "type": "full", "units": 5}]})";

std::string subst(std::string s, const std::string& key, const std::string& value) {
    for (size_t p = s.find(key); p != std::string::npos; p = s.find(key, p + value.size())) s.replace(p, key.size(), value);
    return s;
}

}  // namespace

TEST_SUITE("gradcheck") {

TEST_CASE("gradcheck: 1998-style net (conv, table, subsample, full, rbf, scaled tanh) for every loss") {
    for (const std::string loss : {"mse", "map", "xent"}) {
        CAPTURE(loss);
        Network net(nettest::spec_json(subst(kMini1998, "LOSS", loss)));
        net.init(9);
        gradcheck(net, 3, 21, -0.1, 1.175);
        gradcheck(net, 8, 22, -0.1, 1.175);
    }
}

TEST_CASE("gradcheck: padding, stride, avg pooling, overlapping windows; every activation and loss") {
    for (const std::string act : {"none", "scaled_tanh", "tanh", "sigmoid"}) {
        for (const std::string loss : {"xent", "mse", "map"}) {
            CAPTURE(act);
            CAPTURE(loss);
            Network net(nettest::spec_json(subst(subst(kMiniModern, "LOSS", loss), "ACT", act)));
            nettest::fill_params(net, 5, -0.6, 0.6);
            gradcheck(net, 2, 31);
        }
    }
}

TEST_CASE("gradcheck: relu and max pooling (kinks skipped)") {
    Network net(nettest::spec_json(kMiniRelu));
    nettest::fill_params(net, 8, -0.5, 0.5);
    // a smaller step crosses fewer kinks; float rounding (~ulp(E)/h) stays well inside the tolerance
    gradcheck(net, 1, 41, -1, 1, 1e-3);
    gradcheck(net, 4, 42, -1, 1, 1e-3);
}

TEST_CASE("gradcheck: the three presets on a sample of parameters") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        Network net(arch_preset(name));
        net.init(17);
        Workspace ws(net);
        std::vector<float> x = nettest::random_input(net, 3, name == "lenet5-1998" ? -0.1 : 0.0, 1.0);
        std::vector<float> grad(net.params().size(), 0.0f);
        net.forward(ws, x.data());
        net.loss(ws, 7);
        net.backward(ws, grad.data());
        const std::vector<int> sig0 = kink_signature(net, ws);
        const std::vector<uint8_t> mask = net.trainable_mask();
        double gmax = 1e-3;
        for (float g : grad) gmax = std::max(gmax, double(std::fabs(g)));
        int checked = 0, bad = 0;
        nettest::Lcg pick(99);
        for (int n = 0; n < 150; ++n) {
            // half of the samples among each layer's largest-gradient region: pick uniformly
            const size_t k = size_t(pick.uniform(0, double(net.params().size()) - 1e-9));
            if (!mask[k]) continue;
            const FdResult r = numeric(net, ws, &net.params()[k], x, 7, sig0, 1e-2);
            if (r.kink) continue;
            ++checked;
            const double tol = 2e-3 * gmax + 2e-2 * std::max(std::fabs(double(grad[k])), std::fabs(r.value));
            if (std::fabs(grad[k] - r.value) > tol && ++bad <= 5)
                MESSAGE("param " << k << ": analytic " << grad[k] << " numeric " << r.value);
        }
        CHECK(bad == 0);
        CHECK(checked > 100);
    }
}

TEST_CASE("gradcheck: backward accumulates and per-layer gradients are exposed") {
    Network net(arch_preset("lenet5"));
    net.init(2);
    Workspace ws(net);
    const std::vector<float> x = nettest::random_input(net, 4, 0, 1);
    std::vector<float> g1(net.params().size(), 0.0f), g2(net.params().size(), 0.0f);
    net.forward(ws, x.data());
    net.loss(ws, 1);
    net.backward(ws, g1.data());
    net.backward(ws, g2.data());
    net.backward(ws, g2.data());
    for (size_t k = 0; k < g1.size(); k += 97) CHECK(g2[k] == doctest::Approx(2 * g1[k]));
    // grad_out(i) is dLoss/d(output of layer i) = the input gradient of layer i+1; for an
    // activation-free layer it equals grad_pre(i)
    const int S4 = net.layer_index("S4");
    for (int k = 0; k < 400; ++k) CHECK(ws.grad_out(S4)[k] == ws.grad_pre(S4)[k]);
    // want_input_grad = false skips dLoss/dinput but nothing else: grad_input() keeps the previous
    // sample's values (those of x, not of x2)
    const std::vector<float> din1(ws.grad_input(), ws.grad_input() + x.size());
    const std::vector<float> x2 = nettest::random_input(net, 5, 0, 1);
    Workspace with(net);
    std::vector<float> g3(net.params().size(), 0.0f), g4(net.params().size(), 0.0f);
    net.forward(with, x2.data());
    net.loss(with, 1);
    net.backward(with, g4.data());
    ws.want_input_grad = false;
    net.forward(ws, x2.data());
    net.loss(ws, 1);
    net.backward(ws, g3.data());
    CHECK(g3 == g4);
    CHECK(std::equal(din1.begin(), din1.end(), ws.grad_input()));
    CHECK(!std::equal(din1.begin(), din1.end(), with.grad_input()));
}

TEST_CASE("hessian: Gauss-Newton diagonal equals the exact second derivative where it is exact") {
    // A single linear layer (and linear -> rbf with eq. 8): every weight feeds one output unit, so
    // the diagonal Gauss-Newton estimate of paper Appendix C is the exact diagonal Hessian.
    const std::vector<std::string> specs = {
        R"({"name": "lin-mse", "input": [3, 2, 2], "loss": "mse", "layers": [{"name": "F", "type": "full", "units": 4}]})",
        R"({"name": "lin-xent", "input": [3, 2, 2], "loss": "xent", "layers": [{"name": "F", "type": "full", "units": 4}]})",
        R"({"name": "lin-map", "input": [3, 2, 2], "loss": "map", "layers": [{"name": "F", "type": "full", "units": 4}]})",
        R"({"name": "conv-xent", "input": [2, 3, 3], "loss": "xent", "layers": [{"name": "C", "type": "conv", "maps": 4, "kernel": 3}]})",
        R"({"name": "lin-rbf", "input": [3, 2, 2], "loss": "mse", "layers": [{"name": "F", "type": "full", "units": 84},
            {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})"};
    for (const std::string& s : specs) {
        Network net(nettest::spec_json(s));
        CAPTURE(net.spec().name);
        nettest::fill_params(net, 3, -1, 1);
        Workspace ws(net);
        const std::vector<float> x = nettest::random_input(net, 5);
        std::vector<float> hd(net.params().size(), 0.0f);
        net.forward(ws, x.data());
        net.loss(ws, 2);
        net.backward_hessian(ws, hd.data());
        // exact second derivatives from the double-precision reference
        std::vector<double> p = nettest::to_double(net.params());
        const std::vector<double> xd = nettest::to_double(x);
        const double h = 1e-3;
        for (size_t k = 0; k < p.size(); ++k) {
            const double p0 = p[k];
            const double e0 = nettest::ref_forward(net, p, xd, 2).loss;
            p[k] = p0 + h;
            const double ep = nettest::ref_forward(net, p, xd, 2).loss;
            p[k] = p0 - h;
            const double em = nettest::ref_forward(net, p, xd, 2).loss;
            p[k] = p0;
            const double d2 = (ep - 2 * e0 + em) / (h * h);
            CAPTURE(k);
            CHECK(hd[k] == doctest::Approx(d2).epsilon(2e-3).scale(1.0));
        }
    }
}

TEST_CASE("hessian: positive, finite, zero for absent table weights, and it accumulates") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        Network net(arch_preset(name));
        net.init(4);
        Workspace ws(net);
        std::vector<float> hd(net.params().size(), 0.0f);
        for (int n = 0; n < 5; ++n) {
            const std::vector<float> x = nettest::random_input(net, uint64_t(100 + n), 0, 1);
            net.forward(ws, x.data());
            net.loss(ws, n);
            net.backward_hessian(ws, hd.data());
        }
        const std::vector<uint8_t> mask = net.trainable_mask();
        int positive = 0, trainable = 0;
        for (size_t k = 0; k < hd.size(); ++k) {
            REQUIRE(std::isfinite(hd[k]));
            REQUIRE(hd[k] >= 0.0f);
            if (!mask[k]) REQUIRE(hd[k] == 0.0f);
            else {
                ++trainable;
                positive += hd[k] > 0.0f;
            }
        }
        // every weight gets curvature, except those of relu units that were dead for all five
        // samples (in lenet5-relu about half of C5's and F6's 1x1 units at initialisation)
        CHECK(positive > trainable * (name == "lenet5-relu" ? 3 : 9) / 10);
        // the gradient pass is untouched by the hessian pass
        std::vector<float> g(net.params().size(), 0.0f);
        net.backward(ws, g.data());
        double s = 0;
        for (float v : g) s += std::fabs(v);
        CHECK(s > 0);
    }
}

}  // TEST_SUITE
