// test_reference.cpp — the engine against the independent double-precision reference of
// net_fixtures.h: every layer's pre-activation and output, the loss, and gradients (parameters
// and input) against central differences of the reference (h = 1e-5 in double: accurate to ~1e-9,
// so the tolerance only has to cover the engine's float arithmetic).
#include "net_fixtures.h"

#include <algorithm>

using namespace lenet;

namespace {

void compare_forward(Network& net, const std::vector<float>& x, int label) {
    Workspace ws(net);
    net.forward(ws, x.data());
    const float E = net.loss(ws, label);
    const nettest::RefResult r = nettest::ref_forward(net, nettest::to_double(net.params()), nettest::to_double(x), label);
    for (size_t li = 0; li < net.layers().size(); ++li) {
        CAPTURE(net.layers()[li].name);
        const size_t n = size_t(net.layers()[li].out.size());
        REQUIRE(r.out[li].size() == n);
        double scale = 1e-3, worst = 0;
        for (size_t k = 0; k < n; ++k) scale = std::max(scale, std::fabs(r.pre[li][k]));
        for (size_t k = 0; k < n; ++k) {
            worst = std::max(worst, std::fabs(ws.pre(int(li))[k] - r.pre[li][k]));
            worst = std::max(worst, std::fabs(ws.out(int(li))[k] - r.out[li][k]));
        }
        CHECK(worst <= 2e-5 * scale);
    }
    CHECK(E == doctest::Approx(r.loss).epsilon(1e-5));
}

void compare_gradients(Network& net, const std::vector<float>& x, int label, int samples, uint64_t seed) {
    Workspace ws(net);
    std::vector<float> grad(net.params().size(), 0.0f);
    net.forward(ws, x.data());
    net.loss(ws, label);
    net.backward(ws, grad.data());
    std::vector<double> p = nettest::to_double(net.params());
    std::vector<double> xd = nettest::to_double(x);
    double gmax = 1e-6;
    for (float g : grad) gmax = std::max(gmax, double(std::fabs(g)));
    for (size_t k = 0; k < x.size(); ++k) gmax = std::max(gmax, double(std::fabs(ws.grad_input()[k])));
    const std::vector<uint8_t> mask = net.trainable_mask();
    const double h = 1e-5;
    auto fd = [&](std::vector<double>& v, size_t k) {
        const double v0 = v[k];
        v[k] = v0 + h;
        const double ep = nettest::ref_forward(net, p, xd, label).loss;
        v[k] = v0 - h;
        const double em = nettest::ref_forward(net, p, xd, label).loss;
        v[k] = v0;
        return (ep - em) / (2 * h);
    };
    nettest::Lcg pick(seed);
    int checked = 0, bad = 0;
    const bool all = int(p.size()) <= samples;
    for (int n = 0; n < (all ? int(p.size()) : samples); ++n) {
        const size_t k = all ? size_t(n) : size_t(pick.uniform(0, double(p.size()) - 1e-9));
        if (!mask[k]) continue;
        const double num = fd(p, k);
        ++checked;
        if (std::fabs(grad[k] - num) > 1e-4 * gmax + 1e-3 * std::fabs(num) && ++bad <= 5)
            MESSAGE("param " << k << ": engine " << grad[k] << ", reference " << num);
    }
    for (int n = 0; n < 40; ++n) {
        const size_t k = size_t(pick.uniform(0, double(xd.size()) - 1e-9));
        const double num = fd(xd, k);
        ++checked;
        if (std::fabs(ws.grad_input()[k] - num) > 1e-4 * gmax + 1e-3 * std::fabs(num) && ++bad <= 5)
            MESSAGE("input " << k << ": engine " << ws.grad_input()[k] << ", reference " << num);
    }
    CHECK(bad == 0);
    CHECK(checked >= 40);
}

}  // namespace

TEST_SUITE("reference") {

TEST_CASE("reference: the presets' forward pass, layer by layer, and the loss") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        Network net(arch_preset(name));
        net.init(123);
        for (int label : {0, 6}) compare_forward(net, nettest::random_input(net, uint64_t(label + 1), -0.1, 1.175), label);
    }
}

TEST_CASE("reference: other specs (28x28, padding, stride, tables, every pooling and activation, every loss)") {
    const std::vector<std::string> specs = {
        R"({"name": "a", "input": [1, 28, 28], "loss": "map", "layers": [
            {"name": "C1", "type": "conv", "maps": 6, "kernel": 5, "padding": 2, "activation": "sigmoid"},
            {"name": "S2", "type": "pool", "mode": "subsample", "size": 2, "activation": "tanh"},
            {"name": "C3", "type": "conv", "maps": 16, "kernel": 5, "table": "lenet5-table1", "activation": "relu"},
            {"name": "S4", "type": "pool", "mode": "max", "size": 3, "stride": 2},
            {"name": "F5", "type": "full", "units": 84, "activation": "scaled_tanh"},
            {"name": "OUT", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})",
        R"({"name": "b", "input": [3, 13, 11], "loss": "mse", "layers": [
            {"name": "C1", "type": "conv", "maps": 5, "kernel": 4, "stride": 3, "padding": 2, "activation": "tanh"},
            {"name": "S2", "type": "pool", "mode": "avg", "size": 2, "stride": 1},
            {"name": "F", "type": "full", "units": 12, "activation": "scaled_tanh"}]})",
        R"({"name": "c", "input": [84, 1, 1], "loss": "xent", "layers": [
            {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})"};
    for (const std::string& s : specs) {
        Network net(nettest::spec_json(s));
        CAPTURE(net.spec().name);
        net.init(77);
        const std::vector<float> x = nettest::random_input(net, 8);
        compare_forward(net, x, 3);
        compare_gradients(net, x, 3, 400, 5);
    }
}

TEST_CASE("reference: the presets' gradients") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        Network net(arch_preset(name));
        net.init(321);
        compare_gradients(net, nettest::random_input(net, 9, 0, 1), 5, 250, 17);
    }
}

}  // TEST_SUITE
