// test_trace_backward.cpp — the web app's backward trace (web/trace_backward.h, in the library
// lenet_app_logic): every unit's dE/d(output) rebuilt from the next layer's deltas and every weight's
// gradient rebuilt from input x delta terms must equal the engine's own backward pass
// (Network::layer_gradients, Workspace::grad_out, grad_pre) for every layer of the presets and of
// small specs with padding, strides, overlapping and max pooling, and every loss; the listed terms
// are the ones the layer definitions name (Table I, the subsampling coefficient, the RBF).
#include "net_fixtures.h"
#include "trace_backward.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using lenet_web::BackTrace;
using lenet_web::WeightPick;
using lenet_web::WeightTrace;

namespace {

// A network after forward, loss and backward of one random input into a zeroed gradient.
struct Back {
    lenet::Network     net;
    lenet::Workspace   ws;
    std::vector<float> grad;
    int                label;
    explicit Back(const lenet::ArchSpec& spec, int label_ = 3, uint64_t seed = 11)
        : net(spec), ws(net), label(label_) {
        net.init(seed);
        const std::vector<float> x = nettest::random_input(net, seed);
        net.forward(ws, x.data());
        net.loss(ws, label);
        grad.assign(net.params().size(), 0.0f);
        net.backward(ws, grad.data());
    }
};

// |a - b| small against the magnitude of the terms summed.
bool agrees(double a, double b, double scale) { return std::fabs(a - b) <= 1e-4 * scale + 1e-6 * std::fabs(b) + 1e-12; }

// Every unit of every layer: the trace matches, and its sums equal layer_gradients' dE/d(output)
// and the workspace's dE/dpre.
void check_every_unit(const Back& b) {
    const std::vector<lenet::LayerGradients> g = b.net.layer_gradients(b.ws, b.grad.data());
    for (int l = 0; l < int(b.net.layers().size()); ++l) {
        const lenet::Shape s = b.net.layers()[size_t(l)].out;
        int units = 0, matching = 0, agreeing = 0;
        for (int m = 0; m < s.c; ++m)
            for (int y = 0; y < s.h; ++y)
                for (int x = 0; x < s.w; ++x) {
                    const BackTrace t = lenet_web::trace_backward(b.net, b.ws, b.label, l, m, y, x);
                    const size_t u = (size_t(m) * s.h + y) * s.w + x;
                    double scale = t.from_loss ? 1.0 : 0.0;
                    for (const lenet_web::BackGroup& grp : t.groups) scale += grp.abs_sum;
                    units++;
                    matching += t.valid && t.matches;
                    agreeing += agrees(t.d_out, double(g[size_t(l)].d_out.data[u]), scale) &&
                                agrees(t.d_pre, double(b.ws.grad_pre(l)[u]), std::fabs(t.fprime) * scale);
                }
        INFO(b.net.spec().name << " layer " << b.net.layers()[size_t(l)].name);
        CHECK(units == int(s.size()));
        CHECK(matching == units);
        CHECK(agreeing == units);
    }
}

// Every trainable weight of every layer: its traced gradient equals layer_gradients' dE/dw, and the
// bias gradient dE/db.
void check_every_weight(const Back& b) {
    const std::vector<lenet::LayerGradients> g = b.net.layer_gradients(b.ws, b.grad.data());
    for (int l = 0; l < int(b.net.layers().size()); ++l) {
        const lenet::LayerSpec& S = b.net.spec().layers[size_t(l)];
        const lenet::LayerInfo& L = b.net.layers()[size_t(l)];
        std::vector<WeightPick> picks;
        if (S.type == lenet::LayerType::Conv) {
            for (int o = 0; o < L.out.c; ++o)
                for (int i = 0; i < L.in.c; ++i)
                    if (S.table.empty() || S.table[size_t(i) * L.out.c + o])
                        for (int ky = 0; ky < S.kernel; ++ky)
                            for (int kx = 0; kx < S.kernel; ++kx) picks.push_back({o, i, ky, kx});
        } else if (S.type == lenet::LayerType::Full) {
            for (int o = 0; o < L.out.c; ++o)
                for (int i = 0; i < int(L.in.size()); ++i) picks.push_back({o, i, 0, 0});
        } else if (S.type == lenet::LayerType::Pool && S.pool == lenet::PoolMode::Subsample) {
            for (int o = 0; o < L.out.c; ++o) picks.push_back({o, 0, 0, 0});
        }
        int matching = 0, agreeing = 0;
        for (const WeightPick& p : picks) {
            const WeightTrace t = lenet_web::trace_weight(b.net, b.ws, b.grad.data(), l, p);
            matching += t.valid && t.matches;
            const size_t k = S.type == lenet::LayerType::Conv ? ((size_t(p.o) * L.in.c + p.i) * S.kernel + p.ky) * S.kernel + p.kx
                           : S.type == lenet::LayerType::Full ? size_t(p.o) * size_t(L.in.size()) + p.i
                                                               : size_t(p.o);
            // the sums are compared by matches; here the tensors layer_gradients names
            agreeing += agrees(t.grad.sum, double(g[size_t(l)].d_weight.data[k]), t.grad.abs_sum) &&
                        t.engine_bias_grad == g[size_t(l)].d_bias.data[p.o];
        }
        INFO(b.net.spec().name << " layer " << L.name);
        // the weights traced are every parameter of the layer but the biases
        CHECK(int64_t(picks.size()) == L.params - int64_t(L.bias_count));
        CHECK(matching == int(picks.size()));
        CHECK(agreeing == int(picks.size()));
    }
}

}  // namespace

TEST_SUITE("trace") {

TEST_CASE("backward trace: every unit and weight of lenet5-1998 and lenet5 equals the engine's gradients") {
    for (const char* name : {"lenet5-1998", "lenet5", "lenet5-relu"}) {
        const Back b(lenet::arch_load(name));
        check_every_unit(b);
        check_every_weight(b);
    }
}

TEST_CASE("backward trace: padding, strides, overlapping and max pooling, every loss") {
    // A padded, strided conv into an overlapping subsampling pool and an overlapping max pool.
    check_every_unit(Back(nettest::spec_json(R"({"name": "p", "input": [2, 11, 11], "layers": [
        {"name": "A", "type": "conv", "maps": 3, "kernel": 3, "stride": 2, "padding": 1, "activation": "tanh"},
        {"name": "B", "type": "pool", "mode": "subsample", "size": 2, "stride": 1, "activation": "sigmoid"},
        {"name": "M", "type": "pool", "mode": "max", "size": 3, "stride": 1},
        {"name": "F", "type": "full", "units": 5, "activation": "relu"},
        {"name": "G", "type": "full", "units": 4}]})"), 2));
    const Back weights(nettest::spec_json(R"({"name": "w", "input": [2, 9, 9], "layers": [
        {"name": "A", "type": "conv", "maps": 3, "kernel": 3, "stride": 2, "padding": 1, "activation": "tanh"},
        {"name": "B", "type": "pool", "mode": "subsample", "size": 2, "stride": 1},
        {"name": "G", "type": "full", "units": 4}]})"), 1);
    check_every_unit(weights);
    check_every_weight(weights);
    // The paper's network under each loss; lenet5 (a full output layer) under mse and map.
    for (lenet::LossKind loss : {lenet::LossKind::Mse, lenet::LossKind::Map, lenet::LossKind::Xent}) {
        lenet::ArchSpec paper = lenet::arch_load("lenet5-1998"), modern = lenet::arch_load("lenet5");
        paper.loss = modern.loss = loss;
        INFO(lenet::loss_name(loss));
        check_every_unit(Back(paper, 7));
        check_every_unit(Back(modern, 0));
    }
}

TEST_CASE("backward trace: the terms are the units each unit feeds") {
    const Back b(lenet::arch_load("lenet5-1998"));
    // C1 map 2 feeds S2 map 2 only, through its coefficient: one window, one term.
    BackTrace t = lenet_web::trace_backward(b.net, b.ws, b.label, 0, 2, 5, 6);
    REQUIRE(t.valid);
    CHECK(t.next == "S2");
    REQUIRE(t.groups.size() == 1);
    REQUIRE(t.terms == 1);
    CHECK(t.groups[0].terms[0].where == "S2[2][2][3]");
    CHECK(t.groups[0].terms[0].via == "S2.coeff[2]");
    CHECK(t.groups[0].terms[0].w == b.net.params()[b.net.layers()[1].weight_offset + 2]);
    // S2 map 0 feeds the C3 maps of Table I's first row: 0, 4, 5, 6, 9, 10, 11, 12, 14, 15.
    const std::vector<int> row0 = lenet_web::fed_maps(b.net, 2, 0);
    CHECK(row0 == std::vector<int>{0, 4, 5, 6, 9, 10, 11, 12, 14, 15});
    t = lenet_web::trace_backward(b.net, b.ws, b.label, 1, 0, 7, 7);  // inside: all 25 taps
    CHECK(t.groups.size() == 10);
    CHECK(t.terms == 250);
    CHECK(t.groups[1].title == "to C3 map 4");
    t = lenet_web::trace_backward(b.net, b.ws, b.label, 1, 0, 0, 0);  // a corner: tap (0, 0) only
    CHECK(t.terms == 10);
    CHECK(t.groups[0].terms[0].where == "C3[0][0][0]");
    CHECK(t.groups[0].terms[0].via == "C3.weight[0][0][0][0]");
    t = lenet_web::trace_backward(b.net, b.ws, b.label, 1, 5, 13, 13);  // S2 map 5 (6 maps), corner
    CHECK(t.groups.size() == lenet_web::fed_maps(b.net, 2, 5).size());
    CHECK(t.terms == int(t.groups.size()));
    CHECK(t.groups[0].terms[0].via == "C3.weight[3][5][4][4]");  // C3 map 3 reads S2 maps 3, 4, 5
    // F6 unit 10 feeds the ten RBF outputs through 2 (x - prototype).
    t = lenet_web::trace_backward(b.net, b.ws, b.label, 5, 10, 0, 0);
    CHECK(t.next == "OUTPUT");
    REQUIRE(t.terms == 10);
    const float x = b.ws.out(5)[10], p3 = b.net.fixed()[size_t(3) * 84 + 10];
    CHECK(t.groups[0].terms[3].w == doctest::Approx(2.0 * (double(x) - double(p3))));
    CHECK(t.groups[0].terms[3].where == "OUTPUT[3]");
    CHECK(t.fprime > 0.0);
    // C5 unit 7 feeds all 84 F6 units.
    t = lenet_web::trace_backward(b.net, b.ws, b.label, 4, 7, 0, 0);
    CHECK(t.terms == 84);
    CHECK(t.groups[0].terms[83].via == "F6.weight[83][7]");
}

TEST_CASE("backward trace: the output layer's gradient comes from the loss") {
    const Back b(lenet::arch_load("lenet5"), 4);  // cross-entropy on logits
    const BackTrace t = lenet_web::trace_backward(b.net, b.ws, 4, 6, 4, 0, 0);
    REQUIRE(t.valid);
    CHECK(t.from_loss);
    CHECK(t.terms == 0);
    CHECK(t.t == 1.0);
    CHECK(t.d_out == doctest::Approx(t.p - 1.0));
    CHECK(t.rule.find("p - t") != std::string::npos);
    CHECK(t.fprime == 1.0);  // no activation on the logits
    CHECK(t.matches);
    // The same output traced for another label no longer matches the engine's gradient.
    CHECK_FALSE(lenet_web::trace_backward(b.net, b.ws, 2, 6, 4, 0, 0).matches);
    CHECK_FALSE(lenet_web::trace_backward(b.net, b.ws, 10, 6, 4, 0, 0).valid);  // no label 10
}

TEST_CASE("backward trace: a wrong engine value is reported, and bad units are not traced") {
    const Back b(lenet::arch_load("lenet5-1998"));
    const BackTrace good = lenet_web::trace_backward(b.net, b.ws, b.label, 1, 3, 6, 6);
    REQUIRE(good.valid);
    CHECK(good.matches);
    // A C3 weight changed after the backward pass: the recomputed sum no longer equals the engine's.
    lenet::Network changed = b.net;
    const std::vector<int> fed = lenet_web::fed_maps(b.net, 2, 3);
    changed.params()[b.net.layers()[2].weight_offset + ((size_t(fed[0]) * 6 + 3) * 5 + 2) * 5 + 2] += 0.5f;
    const BackTrace bad = lenet_web::trace_backward(changed, b.ws, b.label, 1, 3, 6, 6);
    CHECK(bad.valid);
    CHECK_FALSE(bad.matches);
    CHECK(bad.engine_d_out == good.engine_d_out);

    CHECK_FALSE(lenet_web::trace_backward(b.net, b.ws, b.label, 2, 16, 0, 0).valid);  // C3 has 16 maps
    CHECK_FALSE(lenet_web::trace_backward(b.net, b.ws, b.label, 2, 0, 10, 0).valid);  // and 10 rows
    CHECK_FALSE(lenet_web::trace_backward(b.net, b.ws, b.label, 7, 0, 0, 0).valid);   // 7 layers
    CHECK_FALSE(lenet_web::trace_backward(b.net, b.ws, b.label, -1, 0, 0, 0).valid);
}

TEST_CASE("backward trace: a weight's gradient is a sum of input x delta") {
    const Back b(lenet::arch_load("lenet5-1998"));
    // C3 map 0 reads S2 maps 0, 1, 2: the first panel's weight is S2 map 0's centre tap.
    const WeightPick p = lenet_web::default_weight(b.net, b.ws, 2, 0);
    CHECK((p.o == 0 && p.i == 0 && p.ky == 2 && p.kx == 2));
    WeightTrace t = lenet_web::trace_weight(b.net, b.ws, b.grad.data(), 2, p);
    REQUIRE(t.valid);
    CHECK(t.name == "C3.weight[0][0][2][2]");
    CHECK(t.grad.terms.size() == 100);  // one per C3 position
    CHECK(t.grad.terms[11].where == "C3[0][1][1]");
    CHECK(t.grad.terms[11].via == "S2[0][3][3]");
    CHECK(t.bias_terms == 100);
    CHECK(t.matches);
    // Table I: C3 map 0 does not read S2 map 3; that weight does not exist.
    CHECK_FALSE(lenet_web::trace_weight(b.net, b.ws, b.grad.data(), 2, {0, 3, 0, 0}).valid);
    // S2's coefficient: 14 x 14 window sums times deltas.
    t = lenet_web::trace_weight(b.net, b.ws, b.grad.data(), 1, {4, 0, 0, 0});
    CHECK(t.name == "S2.coeff[4]");
    CHECK(t.grad.terms.size() == 196);
    CHECK(t.grad.terms[1].via == "sum C1[4][0..1][2..3]");
    // A full layer's weight: one sample, one term; the default input is the largest one.
    const WeightPick f = lenet_web::default_weight(b.net, b.ws, 5, 9);
    for (int j = 0; j < 120; ++j) CHECK(std::fabs(b.ws.out(4)[j]) <= std::fabs(b.ws.out(4)[f.i]));
    t = lenet_web::trace_weight(b.net, b.ws, b.grad.data(), 5, f);
    CHECK(t.grad.terms.size() == 1);
    CHECK(t.grad.terms[0].via == "C5[" + std::to_string(f.i) + "]");
    // No weights: the RBF's prototypes are fixed; a missing gradient buffer.
    CHECK_FALSE(lenet_web::trace_weight(b.net, b.ws, b.grad.data(), 6, {0, 0, 0, 0}).valid);
    CHECK_FALSE(lenet_web::trace_weight(b.net, b.ws, nullptr, 2, p).valid);
    // A wrong engine value is reported.
    std::vector<float> g = b.grad;
    g[b.net.layers()[2].weight_offset + 12] += 0.01f;  // C3.weight[0][0][2][2]
    CHECK_FALSE(lenet_web::trace_weight(b.net, b.ws, g.data(), 2, p).matches);
}

}  // TEST_SUITE
