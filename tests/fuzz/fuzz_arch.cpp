// fuzz_arch.cpp — the JSON architecture-spec parser (arch_from_json) and validation. A spec that
// parses must build a Network, survive arch_to_json -> arch_from_json unchanged, and (when small)
// run forward and backward.
#include "fuzz_common.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 65536) return 0;  // specs are small; bigger inputs only slow the search down
    const std::string text(reinterpret_cast<const char*>(data), size);
    lenet::ArchSpec spec;
    if (!fuzz::run([&] { spec = lenet::arch_from_json(text, "fuzz.json"); })) return 0;
    // Validation promises a Network never fails later (params and activations are capped).
    lenet::Network* net = nullptr;
    LENET_FUZZ_CHECK(fuzz::run([&] { net = new lenet::Network(spec); }));
    const std::string js = lenet::arch_to_json(spec);
    lenet::ArchSpec again;
    LENET_FUZZ_CHECK(fuzz::run([&] { again = lenet::arch_from_json(js, "again.json"); }));
    LENET_FUZZ_CHECK(lenet::arch_to_json(again) == js);
    lenet::Totals t = net->totals();
    LENET_FUZZ_CHECK(t.params >= 0 && t.connections >= t.params - 1 && t.macs >= 0);
    if (t.macs < 500000 && fuzz::activation_floats(*net) < 100000) {
        net->init(7);
        lenet::Workspace ws(*net);
        std::vector<float> x(size_t(net->input_shape().size()), 0.25f);
        net->forward(ws, x.data());
        float loss = net->loss(ws, 0);
        (void)loss;
        std::vector<float> grad(net->params().size(), 0.0f);
        net->backward(ws, grad.data());
    }
    delete net;
    return 0;
}
