// test_layers.cpp — forward values of hand-computed tiny cases, one per layer type, pooling mode,
// activation and loss.
#include "net_fixtures.h"

using namespace lenet;
using doctest::Approx;

namespace {

// Set a named tensor from a list of values.
void set(Network& net, const std::string& name, const std::vector<float>& v) {
    for (TensorView& t : net.tensors())
        if (t.name == name) {
            REQUIRE(t.count == v.size());
            std::copy(v.begin(), v.end(), t.data);
            return;
        }
    FAIL("no tensor " << name);
}

}  // namespace

TEST_SUITE("layers") {

TEST_CASE("conv: 1@3x3 input, 2x2 kernel, by hand") {
    Network net(nettest::spec_json(R"({"name": "t", "input": [1, 3, 3], "layers": [
        {"name": "C", "type": "conv", "maps": 2, "kernel": 2}, {"name": "F", "type": "full", "units": 2}]})"));
    set(net, "C.weight", {1, 2, 3, 4, /* map 1 */ 0, -1, 1, 0});
    set(net, "C.bias", {0.5f, -1});
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Workspace ws(net);
    net.forward(ws, x.data());
    const float* y = ws.out(0);
    // map 0: [1 2;4 5].[1 2;3 4] = 1+4+12+20 = 37 (+0.5); [2 3;5 6] -> 2+6+15+24 = 47; [4 5;7 8] -> 67; [5 6;8 9] -> 77
    CHECK(y[0] == Approx(37.5));
    CHECK(y[1] == Approx(47.5));
    CHECK(y[2] == Approx(67.5));
    CHECK(y[3] == Approx(77.5));
    // map 1: -x01 + x10 - 1: -2+4-1 = 1; -3+5-1 = 1; -5+7-1 = 1; -6+8-1 = 1
    for (int k = 4; k < 8; ++k) CHECK(y[k] == Approx(1.0));
}

TEST_CASE("conv: stride 2, padding 1 and a connection table, by hand") {
    Network net(nettest::spec_json(R"({"name": "t", "input": [2, 3, 3], "layers": [
        {"name": "C", "type": "conv", "maps": 2, "kernel": 3, "stride": 2, "padding": 1, "table": [[1,0],[1,1]]},
        {"name": "F", "type": "full", "units": 2}]})"));
    CHECK(net.layers()[0].out == Shape{2, 2, 2});
    std::vector<float> w(2 * 2 * 9, 0.0f);
    w[4] = 1.0f;        // map 0, input 0: centre tap
    w[9 + 0] = 10.0f;   // map 0, input 1: top-left tap
    w[27 + 8] = 100.0f; // map 1, input 1: bottom-right tap
    w[18 + 4] = 7.0f;   // map 1, input 0: absent in the table -> must be ignored
    set(net, "C.weight", w);
    set(net, "C.bias", {0, 0});
    std::vector<float> x(18);
    for (int k = 0; k < 18; ++k) x[size_t(k)] = float(k + 1);  // input 0: 1..9, input 1: 10..18
    Workspace ws(net);
    net.forward(ws, x.data());
    const float* y = ws.out(0);
    // output (y, x) centres at input (2y, 2x): map 0 = in0[2y][2x] + 10 * in1[2y-1][2x-1] (0 when padded)
    CHECK(y[0] == Approx(1));                 // (0,0): in0[0][0] = 1, top-left padded
    CHECK(y[1] == Approx(3));                 // (0,1): in0[0][2] = 3
    CHECK(y[2] == Approx(7));                 // (1,0): in0[2][0] = 7
    CHECK(y[3] == Approx(9 + 10 * 14));       // (1,1): in0[2][2] + 10 * in1[1][1] = 9 + 140
    // map 1 = 100 * in1[2y+1][2x+1]
    CHECK(y[4] == Approx(100 * 14));
    CHECK(y[5] == Approx(0));
    CHECK(y[6] == Approx(0));
    CHECK(y[7] == Approx(0));
}

TEST_CASE("pool: avg, max, subsample and overlapping windows, by hand") {
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};  // 1@4x4
    SUBCASE("avg 2x2") {
        Network net(nettest::spec_json(R"({"name": "t", "input": [1, 4, 4], "layers": [
            {"name": "P", "type": "pool", "mode": "avg", "size": 2}, {"name": "F", "type": "full", "units": 2}]})"));
        Workspace ws(net);
        net.forward(ws, x.data());
        CHECK(ws.out(0)[0] == Approx((1 + 2 + 5 + 6) / 4.0));
        CHECK(ws.out(0)[3] == Approx((11 + 12 + 15 + 16) / 4.0));
    }
    SUBCASE("max 2x2 stride 1 (overlapping)") {
        Network net(nettest::spec_json(R"({"name": "t", "input": [1, 4, 4], "layers": [
            {"name": "P", "type": "pool", "mode": "max", "size": 2, "stride": 1}, {"name": "F", "type": "full", "units": 2}]})"));
        CHECK(net.layers()[0].out == Shape{1, 3, 3});
        std::vector<float> xm = x;
        xm[5] = 100;  // (1,1) is in four windows
        Workspace ws(net);
        net.forward(ws, xm.data());
        CHECK(ws.out(0)[0] == 100);
        CHECK(ws.out(0)[4] == 100);
        CHECK(ws.out(0)[2] == 8);
        CHECK(ws.out(0)[8] == 16);
    }
    SUBCASE("subsample: (sum of 4) x coeff + bias, then the squash (paper S2)") {
        Network net(nettest::spec_json(R"({"name": "t", "input": [1, 4, 4], "layers": [
            {"name": "S", "type": "pool", "mode": "subsample", "size": 2, "activation": "scaled_tanh"},
            {"name": "F", "type": "full", "units": 2}]})"));
        set(net, "S.coeff", {0.1f});
        set(net, "S.bias", {-1.0f});
        Workspace ws(net);
        net.forward(ws, x.data());
        CHECK(ws.pre(0)[0] == Approx(0.1 * 14 - 1));
        CHECK(ws.out(0)[0] == Approx(1.7159 * std::tanh(2.0 / 3.0 * 0.4)));
        CHECK(ws.pre(0)[3] == Approx(0.1 * 54 - 1));
    }
}

TEST_CASE("full and rbf: by hand") {
    Network net(nettest::spec_json(R"({"name": "t", "input": [1, 2, 3], "layers": [
        {"name": "F", "type": "full", "units": 84, "activation": "none"},
        {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}], "loss": "mse"})"));
    // F: unit k = sum_j x_j * w_kj + b_k with w_kj = (k == 0 ? j : 0), b_k = proto_3[k] for k > 0
    std::vector<float> w(84 * 6, 0.0f), b(84);
    for (int j = 0; j < 6; ++j) w[size_t(j)] = float(j);
    const std::vector<float>& proto = digit_prototypes_7x12();
    for (int k = 0; k < 84; ++k) b[size_t(k)] = proto[size_t(3 * 84 + k)];
    b[0] = 0;
    set(net, "F.weight", w);
    set(net, "F.bias", b);
    const std::vector<float> x = {1, 1, 1, 1, 1, 2};  // unit 0 = 0+1+2+3+4+10 = 20
    Workspace ws(net);
    net.forward(ws, x.data());
    CHECK(ws.out(0)[0] == Approx(20));
    CHECK(ws.out(0)[1] == proto[3 * 84 + 1]);
    // y_3 = (20 - proto_3[0])^2, everything else matches the prototype of 3
    const double d = 20.0 - proto[3 * 84];
    CHECK(ws.out(1)[3] == Approx(d * d));
    // y_i = sum_k (h_k - proto_i[k])^2
    for (int i = 0; i < 10; ++i) {
        double s = 0;
        for (int k = 0; k < 84; ++k) {
            const double dk = ws.out(0)[k] - proto[size_t(i * 84 + k)];
            s += dk * dk;
        }
        CHECK(ws.out(1)[i] == Approx(s));
    }
    const Prediction p = net.prediction(ws);
    CHECK(p.label == 3);  // the smallest distance
    CHECK(p.scores[3] == Approx(d * d));
    // eq. 8: the loss is the correct class's distance
    CHECK(net.loss(ws, 3) == Approx(d * d));
    CHECK(net.loss(ws, 5) == Approx(ws.out(1)[5]));
}

TEST_CASE("activations: values") {
    Network net(nettest::spec_json(R"({"name": "t", "input": [5, 1, 1], "layers": [
        {"name": "A", "type": "conv", "maps": 5, "kernel": 1, "table": "full", "activation": "scaled_tanh"},
        {"name": "B", "type": "conv", "maps": 5, "kernel": 1, "activation": "tanh"},
        {"name": "C", "type": "conv", "maps": 5, "kernel": 1, "activation": "sigmoid"},
        {"name": "D", "type": "conv", "maps": 5, "kernel": 1, "activation": "relu"},
        {"name": "E", "type": "conv", "maps": 5, "kernel": 1, "activation": "none"}]})"));
    // identity 1x1 convolutions, no bias
    for (TensorView& t : net.tensors()) {
        std::fill(t.data, t.data + t.count, 0.0f);
        if (t.name.find(".weight") != std::string::npos)
            for (int k = 0; k < 5; ++k) t.data[k * 5 + k] = 1.0f;
    }
    const std::vector<float> x = {-2, -1, 0, 1, 2};
    Workspace ws(net);
    net.forward(ws, x.data());
    // scaled tanh: f(1) = 1.7159 tanh(2/3) = 1.0000 (Appendix A chose A, S so that f(+-1) = +-1)
    CHECK(ws.out(0)[3] == Approx(1.0).epsilon(1e-4));
    CHECK(ws.out(0)[1] == Approx(-1.0).epsilon(1e-4));
    CHECK(ws.out(0)[2] == 0);
    for (int k = 0; k < 5; ++k) {
        const double a = ws.pre(1)[k];
        CHECK(ws.out(1)[k] == Approx(std::tanh(a)));
        const double b = ws.pre(2)[k];
        CHECK(ws.out(2)[k] == Approx(1 / (1 + std::exp(-b))));
        const double c = ws.pre(3)[k];
        CHECK(ws.out(3)[k] == Approx(c > 0 ? c : 0));
        CHECK(ws.out(4)[k] == ws.pre(4)[k]);
    }
}

TEST_CASE("activations: tanh, scaled tanh and sigmoid are accurate over the whole range") {
    // The engine evaluates tanh as a rational function (same bits on every platform); check it
    // against libm's double tanh on a dense grid, through a 1x1 identity convolution.
    const int n = 4001;  // a in [-20, 20], step 0.01
    for (const char* act : {"tanh", "scaled_tanh", "sigmoid"}) {
        CAPTURE(std::string(act));
        Network net(nettest::spec_json(std::string(R"({"name": "t", "input": [1, 1, 4001], "layers": [
            {"name": "A", "type": "conv", "maps": 1, "kernel": 1, "activation": ")") + act + R"("},
            {"name": "F", "type": "full", "units": 2}]})"));
        set(net, "A.weight", {1.0f});
        set(net, "A.bias", {0.0f});
        std::vector<float> x(static_cast<size_t>(n));
        for (int k = 0; k < n; ++k) x[size_t(k)] = -20.0f + 0.01f * float(k);
        x[2000] = 0.0f;
        Workspace ws(net);
        net.forward(ws, x.data());
        double worst = 0;
        for (int k = 0; k < n; ++k) {
            const double a = x[size_t(k)];
            const double want = std::string(act) == "tanh"   ? std::tanh(a)
                              : std::string(act) == "sigmoid" ? 1 / (1 + std::exp(-a))
                                                              : 1.7159 * std::tanh(2.0 / 3.0 * a);
            worst = std::max(worst, std::fabs(ws.out(0)[k] - want));
            if (k > 0) CHECK(ws.out(0)[k] >= ws.out(0)[k - 1] - 6e-7f);  // monotonic up to ~2 ulp wiggles
        }
        CHECK(worst < 1e-6);
        CHECK(std::fabs(ws.out(0)[2000] - (std::string(act) == "sigmoid" ? 0.5f : 0.0f)) < 1e-7);
    }
}

TEST_CASE("losses: values and gradients w.r.t. the outputs, by hand") {
    const char* layers = R"(, "layers": [{"name": "F", "type": "full", "units": 3}]})";
    const std::vector<float> x = {1.0f, -2.0f};
    auto make = [&](const std::string& loss) {
        Network net(nettest::spec_json(R"({"name": "t", "input": [2, 1, 1], "loss": ")" + loss + "\"" + layers));
        set(net, "F.weight", {1, 0, 0, 1, 1, 1});  // outputs: 1, -2, -1
        set(net, "F.bias", {0, 0, 0});
        return net;
    };
    SUBCASE("xent: -log softmax") {
        Network net = make("xent");
        Workspace ws(net);
        net.forward(ws, x.data());
        const double z = std::exp(1.0) + std::exp(-2.0) + std::exp(-1.0);
        CHECK(net.loss(ws, 1) == Approx(-(-2.0 - std::log(z))));
        const float* g = ws.grad_out(0);
        CHECK(g[0] == Approx(std::exp(1.0) / z));
        CHECK(g[1] == Approx(std::exp(-2.0) / z - 1));
        const Prediction p = net.prediction(ws);
        CHECK(p.label == 0);
        CHECK(p.scores[0] == Approx(std::exp(1.0) / z));
        CHECK(p.scores[0] + p.scores[1] + p.scores[2] == Approx(1.0));
    }
    SUBCASE("mse on a plain output: 1/2 sum (y - onehot)^2") {
        Network net = make("mse");
        Workspace ws(net);
        net.forward(ws, x.data());
        CHECK(net.loss(ws, 2) == Approx(0.5 * (1 + 4 + 4)));
        CHECK(net.prediction(ws).label == 0);
    }
    SUBCASE("map (eq. 9): y_D + log(e^-j + sum e^-y)") {
        Network net = make("map");
        Workspace ws(net);
        net.forward(ws, x.data());
        const double z = std::exp(-1.0) + std::exp(-1.0) + std::exp(2.0) + std::exp(1.0);  // j = 1
        CHECK(net.loss(ws, 0) == Approx(1.0 + std::log(z)));
        CHECK(net.prediction(ws).label == 1);  // outputs are penalties: the smallest wins
    }
    SUBCASE("a label out of range is refused") {
        Network net = make("xent");
        Workspace ws(net);
        net.forward(ws, x.data());
        CHECK_THROWS_AS(net.loss(ws, 3), Error);
        CHECK_THROWS_AS(net.loss(ws, -1), Error);
    }
}

}  // TEST_SUITE
