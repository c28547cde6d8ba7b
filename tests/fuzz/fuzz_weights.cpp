// fuzz_weights.cpp — the native .lenet weights reader (weights_from_bytes). A file that loads must
// describe a valid network with finite weights, run forward, and round-trip through
// weights_to_bytes bit for bit.
#include "fuzz_common.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    lenet::Network* net = nullptr;
    if (!fuzz::run([&] { net = new lenet::Network(lenet::weights_from_bytes(data, size, "fuzz.lenet")); })) return 0;
    for (float v : net->params()) LENET_FUZZ_CHECK(std::isfinite(v));
    fuzz::forward_small(*net);
    std::vector<uint8_t> bytes;
    LENET_FUZZ_CHECK(fuzz::run([&] { bytes = lenet::weights_to_bytes(*net); }));
    lenet::Network* back = nullptr;
    LENET_FUZZ_CHECK(fuzz::run([&] { back = new lenet::Network(lenet::weights_from_bytes(bytes.data(), bytes.size(), "again")); }));
    LENET_FUZZ_CHECK(fuzz::same_bits(back->params(), net->params()));
    LENET_FUZZ_CHECK(fuzz::same_bits(back->fixed(), net->fixed()));
    LENET_FUZZ_CHECK(lenet::weights_to_bytes(*back) == bytes);
    delete back;
    delete net;
    return 0;
}
