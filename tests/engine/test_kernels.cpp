// test_kernels.cpp — the SIMD kernels (engine/src/kernels_*.cpp) against the reference loops of
// layers.cpp, for every instruction set this build and CPU can run: forward outputs, loss gradients
// of every parameter and of the input, for the presets and for odd shapes (3x3 and 5x5 kernels,
// widths that are not multiples of a vector, connection tables). Also: batched inference equals
// the single-digit forward pass for every thread count.
#include "net_fixtures.h"

#include "../../engine/src/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace lenet;

namespace {

struct Run {
    std::vector<float> acts, grad, din;
    float loss = 0;
};

Run run(const Network& net, const std::vector<float>& x, int label) {
    Workspace ws(net);
    ws.want_input_grad = true;
    net.forward(ws, x.data());
    Run r;
    for (size_t i = 0; i < net.layers().size(); ++i) {
        const float* o = ws.out(int(i));
        r.acts.insert(r.acts.end(), o, o + net.layers()[i].out.size());
    }
    r.loss = net.loss(ws, label);
    r.grad.assign(net.params().size(), 0.0f);
    net.backward(ws, r.grad.data());
    r.din.assign(ws.grad_input(), ws.grad_input() + x.size());
    return r;
}

// max |a - b| <= tol * max(1, max |b|)
void close(const std::vector<float>& a, const std::vector<float>& b, double tol, const char* what) {
    REQUIRE(a.size() == b.size());
    double worst = 0, scale = 1;
    for (size_t k = 0; k < a.size(); ++k) {
        worst = std::max(worst, std::fabs(double(a[k]) - double(b[k])));
        scale = std::max(scale, std::fabs(double(b[k])));
    }
    INFO(what << ": worst difference " << worst << " at scale " << scale);
    CHECK(worst <= tol * scale);
}

struct IsaGuard {
    kernels::Isa saved = kernels::isa();
    ~IsaGuard() { kernels::set_isa(saved); }
};

std::vector<kernels::Isa> fast_isas() {
    std::vector<kernels::Isa> v;
    for (kernels::Isa i : {kernels::Isa::Avx2, kernels::Isa::Avx512, kernels::Isa::WasmSimd})
        if (kernels::isa_supported(i)) v.push_back(i);
    return v;
}

void compare_all_isas(Network& net, uint64_t seed) {
    nettest::fill_params(net, seed);
    const std::vector<float> x = nettest::random_input(net, seed + 1);
    const int label = int(seed % uint64_t(net.output_shape().size()));
    IsaGuard guard;
    kernels::set_isa(kernels::Isa::Portable);
    const Run ref = run(net, x, label);
    const std::vector<uint8_t> mask = net.trainable_mask();
    for (kernels::Isa isa : fast_isas()) {
        CAPTURE(kernels::isa_name(isa));
        kernels::set_isa(isa);
        const Run r = run(net, x, label);
        close(r.acts, ref.acts, 2e-5, "layer outputs");
        CHECK(r.loss == doctest::Approx(ref.loss).epsilon(1e-5));
        close(r.grad, ref.grad, 2e-5, "parameter gradients");
        close(r.din, ref.din, 2e-5, "input gradient");
        for (size_t k = 0; k < mask.size(); ++k)
            if (!mask[k]) REQUIRE(r.grad[k] == 0.0f);  // absent table connections get no gradient
    }
}

}  // namespace

TEST_SUITE("kernels") {

TEST_CASE("kernels: the instruction set in use is named and supported; forcing a missing one is an error") {
    CHECK(kernels::isa_supported(kernels::isa()));
    CHECK(std::string(kernels::isa_name(kernels::isa())).size() > 0);
    CHECK(kernels::isa_supported(kernels::Isa::Portable));
#if defined(__x86_64__)
    CHECK_FALSE(kernels::isa_supported(kernels::Isa::WasmSimd));
    CHECK_THROWS_AS(kernels::set_isa(kernels::Isa::WasmSimd), Error);
#endif
}

TEST_CASE("kernels: presets match the portable loops (forward, loss, every gradient)") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        Network net(arch_preset(name));
        compare_all_isas(net, 11);
        compare_all_isas(net, 12);
    }
}

TEST_CASE("kernels: odd shapes, 3x3 and 5x5 kernels, connection tables match the portable loops") {
    Network a(nettest::spec_json(R"({"name": "odd", "input": [2, 13, 11], "loss": "xent", "layers": [
        {"name": "C1", "type": "conv", "maps": 7, "kernel": 3, "activation": "tanh",
         "table": [[1,0,1,1,0,1,1],[0,1,1,0,1,1,1]]},
        {"name": "C2", "type": "conv", "maps": 9, "kernel": 5, "activation": "relu"},
        {"name": "C3", "type": "conv", "maps": 3, "kernel": 3, "activation": "sigmoid"},
        {"name": "F", "type": "full", "units": 10}]})"));
    compare_all_isas(a, 3);
    Network b(nettest::spec_json(R"({"name": "wide", "input": [1, 40, 37], "loss": "mse", "layers": [
        {"name": "C1", "type": "conv", "maps": 13, "kernel": 5, "activation": "tanh"},
        {"name": "S2", "type": "pool", "mode": "max", "size": 2},
        {"name": "C3", "type": "conv", "maps": 17, "kernel": 3, "activation": "tanh"},
        {"name": "F", "type": "full", "units": 10}]})"));
    compare_all_isas(b, 4);
    // Small outputs with 8 or 16 maps take the kernel vectorised over output maps (C3's path):
    // partial position blocks, a connection table, 5x5 and 3x3.
    Network c(nettest::spec_json(R"({"name": "maps", "input": [3, 11, 13], "loss": "xent", "layers": [
        {"name": "C1", "type": "conv", "maps": 16, "kernel": 5, "activation": "tanh",
         "table": [[1,0,1,1,0,1,1,0,1,0,1,1,1,0,0,1],[0,1,1,0,1,1,1,1,0,1,0,1,1,1,0,1],
                   [1,1,0,1,1,0,1,1,1,0,1,0,1,1,1,1]]},
        {"name": "C2", "type": "conv", "maps": 8, "kernel": 3, "activation": "tanh"},
        {"name": "F", "type": "full", "units": 10}]})"));
    compare_all_isas(c, 5);
    // Rows of 10 to 15 outputs with 16 or 32 maps: AVX-512's row blocks (conv_oc_rows), with the
    // last column block and (11 rows) the last row block shifted back over ones already done.
    Network d(nettest::spec_json(R"({"name": "rows", "input": [2, 15, 17], "loss": "xent", "layers": [
        {"name": "C1", "type": "conv", "maps": 16, "kernel": 5, "activation": "tanh",
         "table": [[1,0,1,1,0,1,1,0,1,0,1,1,1,0,1,1],[0,1,1,0,1,1,1,1,0,1,0,1,1,1,0,1]]},
        {"name": "F", "type": "full", "units": 10}]})"));
    compare_all_isas(d, 6);
    Network e(nettest::spec_json(R"({"name": "rows32", "input": [3, 14, 16], "loss": "mse", "layers": [
        {"name": "C1", "type": "conv", "maps": 32, "kernel": 5, "activation": "tanh"},
        {"name": "F", "type": "full", "units": 10}]})"));
    compare_all_isas(e, 7);
}

TEST_CASE("kernels: predict_batch gives the single-digit labels and outputs for 1, 2 and 3 threads") {
    // Chunks of 8 digits run their first dense layer (C5, or a full layer) for all of them at once
    // (kernels::dense_forward_multi); the outputs must still be the single-digit pass's bit for bit,
    // on every instruction set: the presets, a conv covering its input with a connection table, a
    // full layer straight after pooling (400 inputs), and one whose width is no multiple of a vector
    // (the single-digit path). n = 70 gives whole chunks and a 6-digit rest; n = 16 two whole chunks.
    std::vector<Network> nets;
    for (const char* name : {"lenet5", "lenet5-1998", "lenet5-relu"}) nets.emplace_back(arch_preset(name));
    nets.emplace_back(nettest::spec_json(R"({"name": "c5table", "input": [1, 32, 32], "loss": "mse", "layers": [
        {"name": "C1", "type": "conv", "maps": 6, "kernel": 5, "activation": "tanh"},
        {"name": "S2", "type": "pool", "mode": "avg", "size": 2, "stride": 2},
        {"name": "C3", "type": "conv", "maps": 16, "kernel": 5, "activation": "tanh"},
        {"name": "S4", "type": "pool", "mode": "avg", "size": 2, "stride": 2},
        {"name": "C5", "type": "conv", "maps": 20, "kernel": 5, "activation": "tanh",
         "table": [[1,0,0,1,0,1,1,0,1,0,0,1,0,1,1,0,1,0,0,1], [0,1,1,0,1,0,0,1,0,1,1,0,1,0,0,1,0,1,1,0],
                   [1,1,0,0,1,1,0,0,1,1,0,0,1,1,0,0,1,1,0,0], [0,0,1,1,0,0,1,1,0,0,1,1,0,0,1,1,0,0,1,1],
                   [1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0], [0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1],
                   [1,1,1,0,0,0,1,1,1,0,0,0,1,1,1,0,0,0,1,1], [0,0,0,1,1,1,0,0,0,1,1,1,0,0,0,1,1,1,0,0],
                   [1,0,0,0,1,0,0,0,1,0,0,0,1,0,0,0,1,0,0,0], [0,1,0,0,0,1,0,0,0,1,0,0,0,1,0,0,0,1,0,0],
                   [0,0,1,0,0,0,1,0,0,0,1,0,0,0,1,0,0,0,1,0], [0,0,0,1,0,0,0,1,0,0,0,1,0,0,0,1,0,0,0,1],
                   [1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1], [0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1],
                   [1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0], [1,1,1,1,0,0,0,0,1,1,1,1,0,0,0,0,1,1,1,1]]},
        {"name": "F6", "type": "full", "units": 13, "activation": "tanh"},
        {"name": "OUT", "type": "full", "units": 10}]})"));
    nets.emplace_back(nettest::spec_json(R"({"name": "pool-full", "input": [1, 28, 28], "loss": "xent", "layers": [
        {"name": "C1", "type": "conv", "maps": 4, "kernel": 5, "activation": "relu"},
        {"name": "S2", "type": "pool", "mode": "max", "size": 2, "stride": 2},
        {"name": "F3", "type": "full", "units": 37, "activation": "tanh"},
        {"name": "F4", "type": "full", "units": 10}]})"));
    nets.emplace_back(nettest::spec_json(R"({"name": "odd-full", "input": [1, 9, 9], "loss": "mse", "layers": [
        {"name": "C1", "type": "conv", "maps": 3, "kernel": 3, "activation": "tanh"},
        {"name": "F2", "type": "full", "units": 21, "activation": "tanh"},
        {"name": "F3", "type": "full", "units": 10}]})"));
    IsaGuard guard;
    std::vector<kernels::Isa> isas = fast_isas();
    isas.push_back(kernels::Isa::Portable);
    for (size_t k = 0; k < nets.size(); ++k) {
        Network& net = nets[k];
        CAPTURE(net.spec().name);
        nettest::fill_params(net, 11 + k);
        const size_t in = size_t(net.input_shape().size()), out = size_t(net.output_shape().size());
        const int last = int(net.layers().size()) - 1;
        std::vector<float> xs;
        for (int i = 0; i < 70; ++i) {
            const std::vector<float> x = nettest::random_input(net, 100 + uint64_t(i), 0, 1);
            xs.insert(xs.end(), x.begin(), x.end());
        }
        for (kernels::Isa isa : isas) {
            CAPTURE(kernels::isa_name(isa));
            kernels::set_isa(isa);
            Workspace ws(net);
            std::vector<int> want(70);
            std::vector<float> want_out(70 * out);
            for (int i = 0; i < 70; ++i) {
                const Prediction p = net.predict(ws, xs.data() + size_t(i) * in);
                want[size_t(i)] = p.label;
                std::copy(ws.out(last), ws.out(last) + out, want_out.begin() + long(i * out));
            }
            for (int n : {70, 16, 1}) {
                for (int t : {1, 2, 3}) {
                    CAPTURE(n);
                    CAPTURE(t);
                    std::vector<int> labels(size_t(n), -1);
                    std::vector<float> outs(size_t(n) * out, -1.0f);
                    predict_batch(net, xs.data(), n, labels.data(), outs.data(), t);
                    CHECK(std::equal(labels.begin(), labels.end(), want.begin()));
                    CHECK(std::equal(outs.begin(), outs.end(), want_out.begin()));
                }
            }
        }
    }
    Network net(arch_preset("lenet5"));
    CHECK_THROWS_AS(predict_batch(net, nullptr, 3, nullptr, nullptr, 1), Error);
    CHECK_THROWS_AS(predict_batch(net, nullptr, -1, nullptr, nullptr, 1), Error);
}

TEST_CASE("kernels: backward_deferred (minibatches) gives backward()'s gradient bit for bit") {
    Network odd(nettest::spec_json(R"({"name": "dense", "input": [1, 12, 12], "loss": "mse", "layers": [
        {"name": "C1", "type": "conv", "maps": 4, "kernel": 5, "activation": "tanh"},
        {"name": "C2", "type": "conv", "maps": 7, "kernel": 8, "activation": "tanh"},
        {"name": "F1", "type": "full", "units": 37, "activation": "tanh"},
        {"name": "F2", "type": "full", "units": 10}]})"));
    std::vector<Network> nets{Network(arch_preset("lenet5")), Network(arch_preset("lenet5-1998")), odd};
    std::vector<kernels::Isa> isas = fast_isas();
    isas.push_back(kernels::Isa::Portable);
    IsaGuard guard;
    for (Network& net : nets) {
        CAPTURE(net.spec().name);
        net.init(3);
        const int n = 7;
        std::vector<std::vector<float>> xs;
        for (int i = 0; i < n; ++i) xs.push_back(nettest::random_input(net, 40 + uint64_t(i)));
        for (kernels::Isa isa : isas) {
            CAPTURE(kernels::isa_name(isa));
            kernels::set_isa(isa);
            Workspace plain(net), deferred(net);
            deferred.set_deferred(net, 3);  // 7 samples: full twice (added by backward_deferred itself), then flushed
            std::vector<float> want(net.params().size(), 0.0f), got(want.size(), 0.0f);
            for (int i = 0; i < n; ++i) {
                for (Workspace* ws : {&plain, &deferred}) {
                    net.forward(*ws, xs[size_t(i)].data());
                    net.loss(*ws, i % 10);
                }
                net.backward(plain, want.data());
                net.backward_deferred(deferred, got.data());
            }
            std::vector<float> other(want.size(), 0.0f);
            if (isa != kernels::Isa::Portable) {  // recorded samples belong to `got`
                net.forward(deferred, xs[0].data());
                net.loss(deferred, 1);
                CHECK_THROWS_AS(net.backward_deferred(deferred, other.data()), Error);
                CHECK_THROWS_AS(net.flush_deferred(deferred, other.data()), Error);
                CHECK_THROWS_AS(deferred.set_deferred(net, 4), Error);
                std::vector<float> plain_grad(want.size(), 0.0f);  // the plain pass leaves the records alone
                net.backward(deferred, plain_grad.data());
                CHECK(std::any_of(plain_grad.begin(), plain_grad.end(), [](float v) { return v != 0.0f; }));
            }
            net.flush_deferred(deferred, got.data());
            CHECK(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0);
            net.flush_deferred(deferred, other.data());  // nothing pending: no-op
            CHECK(std::all_of(other.begin(), other.end(), [](float v) { return v == 0.0f; }));
        }
    }
    Workspace ws(nets[0]);
    CHECK_THROWS_AS(ws.set_deferred(nets[0], -1), Error);
    CHECK_THROWS_AS(ws.set_deferred(nets[0], 1 << 20), Error);
}

TEST_CASE("kernels: deferred dense gradients flushed after a switch to the portable loops") {
    // Recorded with the kernels, added by the portable loop (full_weight_grad): the same gradient up
    // to rounding (the kernels may fuse the multiply-adds), and every parameter that got a gradient.
    const std::vector<kernels::Isa> isas = fast_isas();
    if (isas.empty()) return;
    IsaGuard guard;
    Network net(arch_preset("lenet5"));
    net.init(5);
    for (kernels::Isa isa : isas) {
        CAPTURE(kernels::isa_name(isa));
        kernels::set_isa(isa);
        Workspace plain(net), deferred(net);
        deferred.set_deferred(net, 8);
        std::vector<float> want(net.params().size(), 0.0f), got(want.size(), 0.0f);
        for (int i = 0; i < 5; ++i) {
            const std::vector<float> x = nettest::random_input(net, 70 + uint64_t(i));
            for (Workspace* ws : {&plain, &deferred}) {
                net.forward(*ws, x.data());
                net.loss(*ws, i % 10);
            }
            net.backward(plain, want.data());
            net.backward_deferred(deferred, got.data());
        }
        kernels::set_isa(kernels::Isa::Portable);
        net.flush_deferred(deferred, got.data());
        double err = 0.0, scale = 0.0;
        size_t nonzero_want = 0, nonzero_got = 0;
        for (size_t k = 0; k < want.size(); ++k) {
            err = std::max(err, double(std::fabs(want[k] - got[k])));
            scale = std::max(scale, double(std::fabs(want[k])));
            nonzero_want += want[k] != 0.0f;
            nonzero_got += got[k] != 0.0f;
        }
        CHECK(scale > 0.0);
        CHECK(err <= 1e-5 * scale);
        CHECK(nonzero_got == nonzero_want);
    }
}

}  // TEST_SUITE
