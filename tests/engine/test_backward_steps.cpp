// test_backward_steps.cpp — the training steps after OUTPUT (web/backward_steps.h, in the library
// lenet_app_logic): their numbering and names for the paper's network, the names a link or a command
// may use, the SDLM step size, and the h_kk histogram on a log axis.
#include "backward_steps.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace lenet_web;

TEST_CASE("training steps: LOSS, the backward steps from OUTPUT' to C1', UPDATE") {
    const lenet::Network net(lenet::arch_preset("lenet5-1998"));
    REQUIRE(net.layers().size() == 7);
    CHECK(train_step_count(net) == 9);
    const char* names[] = {"LOSS", "OUTPUT'", "F6'", "C5'", "S4'", "C3'", "S2'", "C1'", "UPDATE"};
    for (int s = 0; s < 9; ++s) {
        CAPTURE(s);
        CHECK(train_step_name(net, s) == names[s]);
        CHECK(train_step_from_name(net, names[s]) == s);
        CHECK(train_step_from_name(net, train_step_link_name(net, s)) == s);
    }
    CHECK(train_step_link_name(net, 5) == "C3");
    CHECK(train_step_layer(net, 0) == -1);
    CHECK(train_step_layer(net, 1) == 6);   // OUTPUT, the last engine layer
    CHECK(train_step_layer(net, 7) == 0);   // C1
    CHECK(train_step_layer(net, 8) == -1);
    for (int layer = 0; layer < 7; ++layer) CHECK(train_step_layer(net, train_step_of_layer(net, layer)) == layer);
    CHECK(train_step_from_name(net, "C9") == -1);
    CHECK(train_step_from_name(net, "") == -1);
    CHECK(train_step_from_name(net, "'") == -1);
}

TEST_CASE("training steps: the SDLM step is eta / (mu + h_kk), as the Trainer uses it") {
    CHECK(sdlm_step(0.0005f, 0.02f, 0.0f) == doctest::Approx(0.025));
    CHECK(sdlm_step(0.0005f, 0.02f, 0.48f) == doctest::Approx(0.001));
}

TEST_CASE("training steps: h_kk histogram on a log axis; zeros and masked entries apart") {
    const std::vector<float> v = {0.0f, 1e-4f, 3e-3f, 3e-2f, 3e-1f, 1.0f, 0.5f, 0.0f};
    const std::vector<uint8_t> mask = {1, 1, 1, 1, 1, 1, 0, 0};  // the last two are absent weights
    const LogHistogram h = log_histogram(v.data(), mask.data(), v.size(), 4);
    CHECK(h.total == 6);
    CHECK(h.zeros == 1);
    CHECK(h.lo == doctest::Approx(-4.0));
    CHECK(h.hi == doctest::Approx(0.0));
    REQUIRE(h.counts.size() == 4);
    CHECK(h.counts[0] == 1);  // 1e-4, the smallest, in the first bin
    CHECK(h.counts[1] == 1);  // 3e-3
    CHECK(h.counts[2] == 1);  // 3e-2
    CHECK(h.counts[3] == 2);  // 0.3, and the largest, 1, in the last bin
    const LogHistogram all = log_histogram(v.data(), nullptr, v.size(), 4);
    CHECK(all.total == 8);
    CHECK(all.zeros == 2);
    const std::vector<float> zeros(5, 0.0f);
    const LogHistogram z = log_histogram(zeros.data(), nullptr, zeros.size(), 3);
    CHECK(z.zeros == 5);
    CHECK(z.counts == std::vector<int>{0, 0, 0});
    const std::vector<float> one = {2.0f, 2.0f};
    CHECK(log_histogram(one.data(), nullptr, one.size(), 3).counts[0] == 2);  // one value: the first bin
}
