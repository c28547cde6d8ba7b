// test_layer_gradients.cpp — Network::layer_gradients, the public per-layer view of one sample's
// gradients: names, shapes and places as tensors() and the workspace give them, and values against
// central finite differences of the engine's own forward pass (dLoss/dw and dLoss/db by perturbing a
// parameter, dLoss/d(output) by perturbing a layer's output and running the later layers).
#include "net_fixtures.h"

#include <algorithm>
#include <cmath>

using namespace lenet;

namespace {

// The loss with layer `li`'s output value k moved by d: layers 0..li, the change, then the rest.
double loss_with_output_moved(const Network& net, Workspace& ws, const std::vector<float>& x, int label, int li,
                              int64_t k, double d) {
    net.set_input(ws, x.data());
    for (int i = 0; i <= li; ++i) net.forward_layer(ws, i);
    float* y = ws.mutable_out(li) + k;
    *y = float(double(*y) + d);
    for (int i = li + 1; i < int(net.layers().size()); ++i) net.forward_layer(ws, i);
    return net.loss(ws, label);
}

// Fourth-order central difference of f(d) at 0 with step h.
template <class F>
double central(F f, double h) {
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h);
}

void check_close(double analytic, double numeric, double scale, const std::string& what) {
    CAPTURE(what);
    CAPTURE(analytic);
    CAPTURE(numeric);
    CHECK(std::fabs(analytic - numeric) <= 2e-3 * scale + 1e-2 * std::max(std::fabs(analytic), std::fabs(numeric)));
}

}  // namespace

TEST_CASE("layer_gradients: names, shapes and places as tensors() and the workspace") {
    for (const char* arch : {"lenet5-1998", "lenet5", "lenet5-relu"}) {
        CAPTURE(arch);
        Network net(arch_preset(arch));
        net.init(3);
        Workspace ws(net);
        const std::vector<float> x = nettest::random_input(net, 8, 0, 1);
        std::vector<float> grad(net.params().size(), 0.0f);
        net.forward(ws, x.data());
        net.loss(ws, 4);
        net.backward(ws, grad.data());
        const std::vector<LayerGradients> lg = net.layer_gradients(ws, grad.data());
        REQUIRE(lg.size() == net.layers().size());
        std::vector<TensorView> want;
        for (const TensorView& t : net.tensors())
            if (t.trainable) want.push_back(t);
        size_t next = 0;
        for (size_t i = 0; i < lg.size(); ++i) {
            const LayerInfo& info = net.layers()[i];
            CHECK(lg[i].layer == int(i));
            CHECK(lg[i].d_out.name == info.name + ".out");
            CHECK(lg[i].d_out.shape == std::vector<int64_t>{info.out.c, info.out.h, info.out.w});
            CHECK(lg[i].d_out.data == ws.grad_out(int(i)));
            CHECK(lg[i].d_out.count == size_t(info.out.size()));
            CHECK(lg[i].d_weight.count == info.weight_count);
            CHECK(lg[i].d_bias.count == info.bias_count);
            for (const GradView* g : {&lg[i].d_weight, &lg[i].d_bias}) {
                if (g->count == 0) {
                    CHECK(g->data == nullptr);
                    continue;
                }
                REQUIRE(next < want.size());
                const TensorView& t = want[next++];
                CHECK(g->name == t.name);
                CHECK(g->shape == t.shape);
                CHECK(g->count == t.count);
                CHECK(g->data - grad.data() == t.data - net.params().data());
            }
        }
        CHECK(next == want.size());
    }
    Network a(arch_preset("lenet5"));
    Network b(nettest::spec_json(
        R"({"name": "tiny", "input": [1, 4, 4], "loss": "mse", "layers": [{"name": "F", "type": "full", "units": 3}]})"));
    Workspace wb(b);
    std::vector<float> grad(a.params().size(), 0.0f);
    CHECK_THROWS_AS(a.layer_gradients(wb, grad.data()), Error);
}

TEST_CASE("layer_gradients: dE/dout, dE/dw and dE/db of one sample match finite differences") {
    // lenet5-1998: scaled tanh, subsampling with coefficients, a connection table, an rbf output;
    // lenet5: tanh, average pooling, full layers, cross-entropy. Both smooth everywhere.
    for (const char* arch : {"lenet5-1998", "lenet5"}) {
        CAPTURE(arch);
        Network net(arch_preset(arch));
        net.init(9);
        Workspace ws(net), probe(net);
        const std::vector<float> x = nettest::random_input(net, 21, 0, 1);
        const int label = 7;
        std::vector<float> grad(net.params().size(), 0.0f);
        net.forward(ws, x.data());
        net.loss(ws, label);
        net.backward(ws, grad.data());
        const std::vector<LayerGradients> lg = net.layer_gradients(ws, grad.data());
        double scale = 1.0;
        for (const LayerGradients& g : lg)
            for (const GradView* v : {&g.d_out, &g.d_weight, &g.d_bias})
                for (size_t k = 0; k < v->count; ++k) scale = std::max(scale, double(std::fabs(v->data[k])));
        const double h = 1e-2;
        int checked = 0;
        for (const LayerGradients& g : lg) {
            const int li = g.layer;
            // a few output values of every layer
            for (int64_t k = 0; k < int64_t(g.d_out.count); k += std::max<int64_t>(1, int64_t(g.d_out.count) / 5)) {
                const double n = central(
                    [&](double d) { return loss_with_output_moved(net, probe, x, label, li, k, d); }, h);
                check_close(g.d_out.data[k], n, scale, g.d_out.name + "[" + std::to_string(k) + "]");
                ++checked;
            }
            // a few weights (the trainable ones) and every bias
            const std::vector<uint8_t> mask = net.trainable_mask();
            const LayerInfo& info = net.layers()[size_t(li)];
            auto param = [&](const GradView& v, size_t offset, size_t k) {
                float& p = net.params()[offset + k];
                const float saved = p;
                const double n = central(
                    [&](double d) {
                        p = float(double(saved) + d);
                        return nettest::engine_loss(net, probe, x.data(), label);
                    },
                    h);
                p = saved;
                check_close(v.data[k], n, scale, v.name + "[" + std::to_string(k) + "]");
                ++checked;
            };
            for (size_t k = 0; k < g.d_weight.count; k += std::max<size_t>(1, g.d_weight.count / 7))
                if (mask[info.weight_offset + k]) param(g.d_weight, info.weight_offset, k);
            for (size_t k = 0; k < g.d_bias.count; ++k) param(g.d_bias, info.bias_offset, k);
        }
        MESSAGE(std::string(arch) << ": " << checked << " gradient values checked");
        CHECK(checked > 100);
    }
}
