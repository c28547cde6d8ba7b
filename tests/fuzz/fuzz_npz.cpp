// fuzz_npz.cpp — NumPy .npy / .npz readers, set_tensors and the state_dict matching. A file starting
// with the npy magic goes to npy_read, anything else to npz_read; a successful npz is loaded into two
// networks (a tiny one and lenet5) by name and by order (set_state_dict) and must either load or
// leave the network bit-for-bit unchanged, is matched to the presets (network_from_state_dict), and
// must survive npz_write -> npz_read unchanged, its archive comment included.
#include "fuzz_common.h"

#include <algorithm>

namespace {
void check_load(lenet::Network& net, const std::vector<lenet::NpyTensor>& tensors, bool state_dict) {
    const std::vector<float> before = net.params();
    const std::vector<float> fixed_before = net.fixed();
    bool ok = fuzz::run([&] {
        if (state_dict) lenet::set_state_dict(net, tensors, "fuzz.npz");
        else lenet::set_tensors(net, tensors, "fuzz.npz");
    });
    if (!ok) {
        LENET_FUZZ_CHECK(fuzz::same_bits(before, net.params()));
        LENET_FUZZ_CHECK(fuzz::same_bits(fixed_before, net.fixed()));
        return;
    }
    for (float v : net.params()) LENET_FUZZ_CHECK(std::isfinite(v));
    fuzz::forward_small(net);
    // Put the old weights back so every input starts from the same network.
    net.params() = before;
    net.fixed() = fixed_before;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0) {
        lenet::NpyTensor t;
        if (!fuzz::run([&] { t = lenet::npy_read(data, size, "fuzz.npy"); })) return 0;
        size_t count = 1;
        for (int64_t d : t.shape) count *= size_t(d);
        LENET_FUZZ_CHECK(count == t.data.size());
        return 0;
    }
    std::vector<lenet::NpyTensor> tensors;
    std::string comment;
    if (!fuzz::run([&] { tensors = lenet::npz_read(data, size, "fuzz.npz", &comment); })) return 0;
    LENET_FUZZ_CHECK(comment.size() <= 0xFFFF);
    static lenet::Network tiny = [] {
        lenet::Network n(lenet::arch_from_json(fuzz::tiny_arch_json(), "tiny"));
        n.init(1);
        return n;
    }();
    static lenet::Network modern = [] {
        lenet::Network n(lenet::arch_preset("lenet5"));
        n.init(1);
        return n;
    }();
    for (bool state_dict : {false, true}) {
        check_load(tiny, tensors, state_dict);
        check_load(modern, tensors, state_dict);
    }
    fuzz::run([&] {
        lenet::Network net = lenet::network_from_state_dict(tensors, "", "fuzz.npz");
        for (float v : net.params()) LENET_FUZZ_CHECK(std::isfinite(v));
    });
    // Round trip through our writer (names and shapes permitting).
    std::vector<uint8_t> again;
    // Text comments only (ours is JSON): arbitrary bytes after the end record could spell a second one.
    const bool text = std::all_of(comment.begin(), comment.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (!text) comment.clear();
    if (!fuzz::run([&] { again = lenet::npz_write(tensors, comment); })) return 0;
    std::vector<lenet::NpyTensor> back;
    std::string comment_back;
    LENET_FUZZ_CHECK(fuzz::run([&] { back = lenet::npz_read(again.data(), again.size(), "again.npz", &comment_back); }));
    LENET_FUZZ_CHECK(comment_back == comment);
    LENET_FUZZ_CHECK(back.size() == tensors.size());
    for (size_t i = 0; i < back.size(); i++) {
        LENET_FUZZ_CHECK(back[i].name == tensors[i].name);
        LENET_FUZZ_CHECK(back[i].shape == tensors[i].shape);
        LENET_FUZZ_CHECK(fuzz::same_bits(back[i].data, tensors[i].data));
    }
    return 0;
}
