// fuzz_common.h — shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.cpp).
//
// The contract every target checks: a parser given any bytes either succeeds (and its result then
// satisfies the invariants the target checks) or throws lenet::Error. Anything else — another
// exception type, a crash, a sanitizer report, a leak, an allocation over libFuzzer's -malloc_limit_mb,
// a timeout — is a finding. LENET_FUZZ_CHECK aborts with a message so libFuzzer saves the input.
#pragma once

#include "lenet/lenet.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#define LENET_FUZZ_CHECK(cond)                                                                   \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::fprintf(stderr, "LENET_FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                        \
        }                                                                                        \
    } while (0)

namespace fuzz {

// Runs f(); lenet::Error is the expected way to fail, returning false. Any other exception aborts.
template <class F>
bool run(F&& f) {
    try {
        f();
        return true;
    } catch (const lenet::Error& e) {
        // The message must name a source and say something.
        LENET_FUZZ_CHECK(!e.where().empty());
        LENET_FUZZ_CHECK(!e.message().empty());
        return false;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception (not lenet::Error): %s\n", e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "unexpected non-std exception\n");
        std::abort();
    }
}

// A small network with every layer type and a custom connection table, so that small inputs (npz,
// native weights) can load successfully and the loaders' success paths get fuzzed too.
inline const char* tiny_arch_json() {
    return R"({"name": "tiny", "input": [1, 12, 12], "input_norm": "paper", "init": "lecun98", "loss": "mse",
  "layers": [
    {"name": "C1", "type": "conv", "maps": 2, "kernel": 3, "activation": "scaled_tanh"},
    {"name": "S2", "type": "pool", "mode": "subsample", "size": 2, "activation": "scaled_tanh"},
    {"name": "C3", "type": "conv", "maps": 3, "kernel": 3, "table": [[1, 0, 1], [0, 1, 1]], "activation": "tanh"},
    {"name": "P4", "type": "pool", "mode": "max", "size": 2},
    {"name": "F5", "type": "full", "units": 84, "activation": "relu"},
    {"name": "OUTPUT", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}
  ]})";
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Floats of all layer outputs together (the size of one workspace activation buffer).
inline size_t activation_floats(const lenet::Network& net) {
    return net.layers().back().act_offset + size_t(net.layers().back().out.size());
}

// Forward pass on a constant input when the network is small enough to be quick; every output must
// be finite (weights that loaded are finite, activations are bounded or linear).
inline void forward_small(const lenet::Network& net) {
    if (net.totals().macs > 2000000 || fuzz::activation_floats(net) > 200000) return;
    lenet::Workspace ws(net);
    std::vector<float> x(size_t(net.input_shape().size()), 0.5f);
    lenet::Prediction p = net.predict(ws, x.data());
    LENET_FUZZ_CHECK(p.label >= 0 && p.label < int(net.output_shape().size()));
    LENET_FUZZ_CHECK(p.scores.size() == size_t(net.output_shape().size()));
}

}  // namespace fuzz
