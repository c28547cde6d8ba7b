// test_network.cpp — Network and Workspace: parameter layout and named tensors, deterministic
// initialisation (ranges, seeds, absent table weights), step-through forward, misuse errors.
#include "net_fixtures.h"

#include <algorithm>
#include <cstring>

using namespace lenet;
using doctest::Approx;

TEST_SUITE("network") {

TEST_CASE("network: parameter layout and named tensors (PyTorch layouts)") {
    Network net(arch_preset("lenet5-1998"));
    std::vector<TensorView> t = net.tensors();
    std::vector<std::string> names;
    for (const TensorView& v : t) names.push_back(v.name);
    CHECK(names == std::vector<std::string>{"C1.weight", "C1.bias", "S2.coeff", "S2.bias", "C3.weight", "C3.bias",
                                            "S4.coeff", "S4.bias", "C5.weight", "C5.bias", "F6.weight", "F6.bias",
                                            "OUTPUT.prototypes"});
    CHECK(t[0].shape == std::vector<int64_t>{6, 1, 5, 5});
    CHECK(t[4].shape == std::vector<int64_t>{16, 6, 5, 5});  // absent Table I weights are zeros
    CHECK(t[8].shape == std::vector<int64_t>{120, 16, 5, 5});
    CHECK(t[10].shape == std::vector<int64_t>{84, 120});
    CHECK(t[12].shape == std::vector<int64_t>{10, 84});
    CHECK_FALSE(t[12].trainable);
    CHECK(std::memcmp(t[12].data, digit_prototypes_7x12().data(), 840 * sizeof(float)) == 0);
    // the tensors tile params() in order, in one allocation
    size_t off = 0;
    for (const TensorView& v : t) {
        if (!v.trainable) continue;
        CHECK(v.data == net.params().data() + off);
        off += v.count;
    }
    CHECK(off == net.params().size());
    CHECK(net.params().size() == 60000 + 16 * 6 * 25 - 60 * 25);  // dense C3 storage
    const std::vector<uint8_t> mask = net.trainable_mask();
    CHECK(std::count(mask.begin(), mask.end(), uint8_t(1)) == 60000);
    CHECK(net.layer_index("C3") == 2);
    CHECK(net.layer_index("nope") == -1);
    CHECK(net.output_shape() == Shape{10, 1, 1});

    Network m(arch_preset("lenet5"));
    CHECK(m.params().size() == 61706);
    CHECK(m.fixed().empty());
    CHECK(m.tensors().back().name == "OUTPUT.bias");
}

TEST_CASE("network: init is deterministic, in range, and leaves absent table weights at zero") {
    SUBCASE("lenet5-1998: uniform +-2.4 / fan-in (Appendix A)") {
        Network a(arch_preset("lenet5-1998")), b(arch_preset("lenet5-1998")), c(arch_preset("lenet5-1998"));
        a.init(42);
        b.init(42);
        c.init(43);
        CHECK(a.params() == b.params());
        CHECK(a.params() != c.params());
        const std::vector<uint8_t> mask = a.trainable_mask();
        for (size_t k = 0; k < mask.size(); ++k)
            if (!mask[k]) REQUIRE(a.params()[k] == 0.0f);
        // per layer bounds: C1 fan-in 25, S2 4, C3 75/100/150 per map, S4 4, C5 400, F6 120
        const std::vector<double> bound = {2.4 / 25, 2.4 / 4, 2.4 / 75, 2.4 / 4, 2.4 / 400, 2.4 / 120};
        for (size_t li = 0; li < 6; ++li) {
            const LayerInfo& L = a.layers()[li];
            const float* p = a.params().data() + L.weight_offset;
            const size_t n = L.weight_count + L.bias_count;
            double mx = 0, mean = 0;
            for (size_t k = 0; k < n; ++k) {
                mx = std::max(mx, double(std::fabs(p[k])));
                mean += p[k];
            }
            CAPTURE(L.name);
            CHECK(mx <= bound[li] + 1e-7);
            if (n > 100) {
                CHECK(mx > 0.9 * bound[li]);
                CHECK(std::fabs(mean / double(n)) < 0.1 * bound[li]);
            }
        }
        // C3 map 0 (3 inputs: fan-in 75) vs map 15 (6 inputs: fan-in 150)
        const LayerInfo& C3 = a.layers()[2];
        double m0 = 0, m15 = 0;
        for (int k = 0; k < 6 * 25; ++k) {
            m0 = std::max(m0, double(std::fabs(a.params()[C3.weight_offset + size_t(k)])));
            m15 = std::max(m15, double(std::fabs(a.params()[C3.weight_offset + 15 * 150 + size_t(k)])));
        }
        CHECK(m0 <= 2.4 / 75 + 1e-7);
        CHECK(m0 > 2.4 / 150);
        CHECK(m15 <= 2.4 / 150 + 1e-7);
    }
    SUBCASE("lenet5: PyTorch's default, uniform +-1/sqrt(fan-in)") {
        Network a(arch_preset("lenet5"));
        a.init(7);
        const std::vector<double> bound = {1 / 5.0, 0, 1 / std::sqrt(150.0), 0, 1 / 20.0, 1 / std::sqrt(120.0),
                                           1 / std::sqrt(84.0)};
        for (size_t li = 0; li < bound.size(); ++li) {
            const LayerInfo& L = a.layers()[li];
            const float* p = a.params().data() + L.weight_offset;
            double mx = 0;
            for (size_t k = 0; k < L.weight_count + L.bias_count; ++k) mx = std::max(mx, double(std::fabs(p[k])));
            CAPTURE(L.name);
            CHECK(mx <= bound[li] + 1e-7);
            if (L.weight_count > 100) CHECK(mx > 0.9 * bound[li]);
        }
    }
    SUBCASE("the same seed gives the same bits on every platform (regression values)") {
        // Integer PRNG (splitmix64 + xoshiro256**); values recorded from this implementation.
        // If these change, weights initialised natively and in wasm, or before and after, differ.
        Network a(arch_preset("lenet5-1998"));
        a.init(1);
        double s = 0;
        for (float v : a.params()) s += double(v);
        uint32_t bits0, bitsN;
        std::memcpy(&bits0, &a.params()[0], 4);
        std::memcpy(&bitsN, &a.params().back(), 4);
        MESSAGE("seed 1: params[0] bits " << bits0 << ", last bits " << bitsN << ", sum " << s);
        CHECK(bits0 == 1025480078u);
        CHECK(bitsN == 1011522803u);
    }
}

TEST_CASE("network: step-through forward equals the whole forward pass") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        Network net(arch_preset(name));
        net.init(3);
        const std::vector<float> x = nettest::random_input(net, 11);
        Workspace a(net), b(net);
        net.forward(a, x.data());
        net.set_input(b, x.data());
        CHECK(b.layers_done() == 0);
        for (int i = 0; i < int(net.layers().size()); ++i) {
            net.forward_layer(b, i);
            CHECK(b.layers_done() == i + 1);
            const size_t n = size_t(net.layers()[size_t(i)].out.size());
            CHECK(std::equal(a.out(i), a.out(i) + n, b.out(i)));
            CHECK(std::equal(a.pre(i), a.pre(i) + n, b.pre(i)));
        }
        const Prediction pa = net.prediction(a), pb = net.prediction(b);
        CHECK(pa.label == pb.label);
        CHECK(pa.scores == pb.scores);
        CHECK(pa.scores.size() == 10);
        // re-running a layer invalidates the later ones
        net.forward_layer(b, 1);
        CHECK(b.layers_done() == 2);
        CHECK_THROWS_AS(net.prediction(b), Error);
        CHECK_THROWS_AS(net.forward_layer(b, 3), Error);
        // a workspace keeps everything: pre-activations and outputs of every layer
        const LayerInfo& C1 = net.layers()[0];
        CHECK(C1.out.size() == 6 * 28 * 28);
        CHECK(std::memcmp(a.input(), x.data(), x.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("network: misuse is refused with a clear error") {
    Network net(arch_preset("lenet5"));
    Network other(arch_preset("lenet5-1998"));
    net.init(1);
    const Network tiny(nettest::spec_json(R"({"name": "t", "input": [1, 4, 4], "layers": [
        {"name": "F", "type": "full", "units": 2}]})"));
    Workspace ws(net), wrong(tiny);
    (void)other;
    const std::vector<float> x = nettest::random_input(net, 1);
    std::vector<float> grad(net.params().size());
    CHECK_THROWS_AS(net.forward(wrong, x.data()), Error);
    CHECK_THROWS_AS(net.prediction(ws), Error);            // nothing computed yet
    CHECK_THROWS_AS(net.loss(ws, 0), Error);
    CHECK_THROWS_AS(net.backward(ws, grad.data()), Error);
    CHECK_THROWS_AS(net.forward_layer(ws, 2), Error);      // needs layers 0 and 1 first
    CHECK_THROWS_AS(net.forward_layer(ws, 99), Error);
    CHECK_THROWS_AS(ws.out(7), Error);
    net.forward(ws, x.data());
    CHECK_THROWS_AS(net.backward(ws, grad.data()), Error);  // no loss() yet
    net.loss(ws, 4);
    net.backward(ws, grad.data());
    try {
        net.forward_layer(ws, 99);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Usage);
        CHECK(std::string(e.what()).find("out of range") != std::string::npos);
    }
}

TEST_CASE("network: prediction scores") {
    SUBCASE("softmax probabilities for cross-entropy") {
        Network net(arch_preset("lenet5"));
        net.init(5);
        Workspace ws(net);
        const std::vector<float> x = nettest::random_input(net, 2, 0, 1);
        const Prediction p = net.predict(ws, x.data());
        double s = 0;
        for (float v : p.scores) {
            CHECK(v >= 0);
            s += v;
        }
        CHECK(s == Approx(1.0));
        CHECK(p.label == int(std::max_element(p.scores.begin(), p.scores.end()) - p.scores.begin()));
    }
    SUBCASE("RBF distances for the 1998 output: argmin") {
        Network net(arch_preset("lenet5-1998"));
        net.init(5);
        Workspace ws(net);
        const std::vector<float> x = nettest::random_input(net, 2, -0.1, 1.175);
        const Prediction p = net.predict(ws, x.data());
        CHECK(p.label == int(std::min_element(p.scores.begin(), p.scores.end()) - p.scores.begin()));
        for (int k = 0; k < 10; ++k) CHECK(p.scores[size_t(k)] == ws.out(6)[k]);
    }
}

TEST_CASE("network: copies are independent") {
    Network a(arch_preset("lenet5"));
    a.init(1);
    Network b = a;
    b.params()[0] += 1.0f;
    CHECK(a.params()[0] != b.params()[0]);
    CHECK(b.tensors()[0].data == b.params().data());
}

}  // TEST_SUITE
