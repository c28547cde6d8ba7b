// fuzz_onnx.cpp — the ONNX importer (network_from_onnx: nanopb decoding, then the graph read as
// layers). A model that loads must describe a valid network with finite weights, run forward, and
// round-trip through onnx_from_network: the same parameters (a subsampling coefficient goes through
// x K*K and / K*K, exact for the usual K = 2, within an ulp or so otherwise).
#include "fuzz_common.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    lenet::Network* net = nullptr;
    if (!fuzz::run([&] { net = new lenet::Network(lenet::network_from_onnx(data, size, "fuzz.onnx")); })) return 0;
    for (float v : net->params()) LENET_FUZZ_CHECK(std::isfinite(v));
    fuzz::forward_small(*net);
    std::vector<uint8_t> bytes;
    if (!fuzz::run([&] { bytes = lenet::onnx_from_network(*net); })) {  // only inputs under 28x28 may refuse
        LENET_FUZZ_CHECK(net->input_shape().h < 28 || net->input_shape().w < 28 || net->input_shape().c != 1);
        delete net;
        return 0;
    }
    lenet::Network* back = nullptr;
    LENET_FUZZ_CHECK(fuzz::run([&] { back = new lenet::Network(lenet::network_from_onnx(bytes.data(), bytes.size(), "again")); }));
    LENET_FUZZ_CHECK(back->params().size() == net->params().size());
    for (size_t i = 0; i < net->params().size(); i++)
        LENET_FUZZ_CHECK(std::fabs(back->params()[i] - net->params()[i]) <= 1e-6f * std::fabs(net->params()[i]));
    LENET_FUZZ_CHECK(fuzz::same_bits(back->fixed(), net->fixed()));
    delete back;
    delete net;
    return 0;
}
