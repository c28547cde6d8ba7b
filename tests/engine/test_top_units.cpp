// test_top_units.cpp — what excites a unit (lenet::top_activations): a unit built to respond to ink
// ranks digits by their ink, a random network's ranking equals a brute-force sort of every sample's
// forward pass, stepping in slices changes nothing, ties keep the lower index, and bad units,
// counts and subsets are refused naming what exists.
#include "lenet/lenet.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace {

// n 28x28 images; image i filled with the grey level level(i).
template <class F>
lenet::Dataset uniform_images(int n, F level) {
    lenet::Dataset d;
    d.name = "test";
    d.count = n;
    d.rows = d.cols = 28;
    d.pixels.resize(size_t(n) * 784);
    d.labels.assign(size_t(n), 0);
    for (int i = 0; i < n; ++i) std::fill_n(d.pixels.begin() + long(i) * 784, 784, uint8_t(level(i)));
    return d;
}

lenet::Dataset random_images(int n, uint64_t seed) {
    lenet::Dataset d = uniform_images(n, [](int) { return 0; });
    uint64_t s = seed;
    for (uint8_t& p : d.pixels) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p = uint8_t(s >> 56);
    }
    return d;
}

std::string error_of(void (*f)()) {
    try {
        f();
    } catch (const lenet::Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_SUITE("top_units") {

TEST_CASE("top units: a C1 unit that sums its window ranks images by their ink") {
    lenet::Network net(lenet::arch_preset("lenet5-1998"));
    std::fill(net.params().begin(), net.params().end(), 0.0f);
    const lenet::LayerInfo& C1 = net.layers()[0];
    for (size_t k = 0; k < 25; ++k) net.params()[C1.weight_offset + k] = 0.04f;  // map 0: the window's mean
    // Grey levels in a scrambled order: image i has level (37 i) mod 256 over 20 images.
    const lenet::Dataset d = uniform_images(20, [](int i) { return (37 * i) % 256; });
    const lenet::UnitRef u = lenet::unit_ref(net, "C1", 0, 14, 14);
    CHECK(u.layer == 0);
    const lenet::TopActivations r = lenet::top_activations(net, d, u, 5);
    std::vector<int> want(20);
    std::iota(want.begin(), want.end(), 0);
    std::sort(want.begin(), want.end(), [](int a, int b) { return (37 * a) % 256 > (37 * b) % 256; });
    want.resize(5);
    CHECK(r.indices == want);
    REQUIRE(r.activations.size() == 5);
    for (size_t i = 1; i < 5; ++i) CHECK(r.activations[i] < r.activations[i - 1]);
    // The brightest image: input 1.175 x (level/255) - 0.1 x (1 - level/255) everywhere, mean of 25.
    const float level = float((37 * want[0]) % 256) / 255.0f;
    const float x = -0.1f + 1.275f * level;
    CHECK(r.activations[0] == doctest::Approx(1.7159 * std::tanh(2.0 / 3.0 * x)).epsilon(1e-4));
    // Weights 100 times larger: every bright image saturates the tanh at exactly 1.7159, and the
    // pre-activation still ranks them by their ink.
    for (size_t k = 0; k < 25; ++k) net.params()[C1.weight_offset + k] = 4.0f;
    const lenet::TopActivations sat = lenet::top_activations(net, d, u, 5);
    CHECK(sat.indices == want);
    CHECK(sat.activations[0] == sat.activations[4]);
    for (size_t i = 1; i < 5; ++i) CHECK(sat.pre[i] < sat.pre[i - 1]);
}

TEST_CASE("top units: a random network's top digits are a brute-force sort of full forward passes") {
    lenet::Network net(lenet::arch_preset("lenet5-1998"));
    net.init(3);
    const lenet::Dataset d = random_images(60, 11);
    lenet::Workspace ws(net);
    std::vector<float> x(size_t(net.input_shape().size()));
    struct Case { const char* layer; int map, y, x; };
    for (const Case& c : {Case{"C1", 4, 3, 20}, Case{"C3", 2, 4, 4}, Case{"C5", 17, 0, 0}, Case{"F6", 80, 0, 0}}) {
        CAPTURE(c.layer);
        const lenet::UnitRef u = lenet::unit_ref(net, c.layer, c.map, c.y, c.x);
        const lenet::LayerInfo& L = net.layers()[size_t(u.layer)];
        std::vector<float> all;
        for (int i = 0; i < 40; ++i) {  // subset: the first 40
            lenet::prepare_input(net.spec(), d.image(i), 28, 28, x.data());
            net.forward(ws, x.data());
            all.push_back(ws.out(u.layer)[(size_t(c.map) * size_t(L.out.h) + size_t(c.y)) * size_t(L.out.w) + size_t(c.x)]);
        }
        std::vector<int> order(40);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return all[size_t(a)] > all[size_t(b)]; });
        const lenet::TopActivations r = lenet::top_activations(net, d, u, 9, 40);
        REQUIRE(r.indices.size() == 9);
        for (size_t i = 0; i < 9; ++i) {
            CHECK(r.indices[i] == order[i]);
            CHECK(r.activations[i] == all[size_t(order[i])]);
        }
        // Stepped in slices of 7, as the UI does: the same answer, and progress as it goes.
        lenet::TopActivationSearch s(net, d, u, 9, 40);
        CHECK(s.total() == 40);
        CHECK_FALSE(s.step(7));
        CHECK(s.done() == 7);
        while (!s.step(7)) {}
        CHECK(s.done() == 40);
        CHECK(s.result().indices == r.indices);
        CHECK(s.result().activations == r.activations);
    }
}

TEST_CASE("top units: ties keep the lower index; count larger than the subset gives the whole subset") {
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(1);
    const lenet::Dataset d = uniform_images(6, [](int i) { return i % 2 ? 200 : 10; });
    const lenet::TopActivations r = lenet::top_activations(net, d, lenet::unit_ref(net, "C1", 1, 5, 5), 10, 5);
    REQUIRE(r.indices.size() == 5);
    // Images 1, 3 are equal, and 0, 2, 4: each group keeps the file order.
    CHECK(r.activations[0] > r.activations[4]);
    if (r.indices[0] % 2) CHECK(r.indices == std::vector<int>{1, 3, 0, 2, 4});
    else CHECK(r.indices == std::vector<int>{0, 2, 4, 1, 3});
}

TEST_CASE("top units: unknown layers, units outside the layer, bad counts and subsets are refused") {
    CHECK(error_of([] {
              lenet::Network net(lenet::arch_preset("lenet5-1998"));
              lenet::unit_ref(net, "C9", 0, 0, 0);
          }) == "layer: no layer 'C9' in lenet5-1998 (C1, S2, C3, S4, C5, F6, OUTPUT)");
    CHECK(error_of([] {
              lenet::Network net(lenet::arch_preset("lenet5-1998"));
              lenet::unit_ref(net, "C3", 16, 0, 0);
          }) == "unit: no unit (map 16, y 0, x 0) in C3 16@10x10: map 0..15, y 0..9, x 0..9");
    CHECK(error_of([] {
              lenet::Network net(lenet::arch_preset("lenet5-1998"));
              lenet::unit_ref(net, "F6", 3, 1, 0);
          }).find("in F6 84: map 0..83, y 0..0") != std::string::npos);
    CHECK(error_of([] {
              lenet::Network net(lenet::arch_preset("lenet5-1998"));
              const lenet::Dataset d = uniform_images(10, [](int) { return 0; });
              lenet::top_activations(net, d, lenet::unit_ref(net, "C1", 0, 0, 0), 9, 11);
          }) == "subset: 11 is outside 1..10 (the data set's size)");
    CHECK(error_of([] {
              lenet::Network net(lenet::arch_preset("lenet5-1998"));
              const lenet::Dataset d = uniform_images(10, [](int) { return 0; });
              lenet::top_activations(net, d, lenet::unit_ref(net, "C1", 0, 0, 0), 0, 5);
          }) == "count: 0 is outside 1..1000");
    CHECK(error_of([] {
              lenet::Network net(lenet::arch_preset("lenet5-1998"));
              const lenet::Dataset d = uniform_images(10, [](int) { return 0; });
              lenet::UnitRef u;
              u.layer = 7;
              lenet::top_activations(net, d, u, 9, 5);
          }) == "unit: layer index 7 is outside 0..6");
}

}  // TEST_SUITE
