// fuzz_idx.cpp — the idx (MNIST) reader: load_idx_memory on an images file and a labels file, raw or
// gzip, then the input mapping. Input layout: u16 little-endian L, then L bytes of labels file, then
// the images file (scripts/make-seeds writes seeds this way).
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    size_t L = size_t(data[0]) | size_t(data[1]) << 8;
    data += 2;
    size -= 2;
    if (L > size) L = size;
    const uint8_t* labels = data;
    const uint8_t* images = data + L;
    const size_t images_size = size - L;
    lenet::Dataset ds;
    bool ok = fuzz::run([&] { ds = lenet::load_idx_memory(images, images_size, "images", labels, L, "labels"); });
    if (!ok) return 0;
    LENET_FUZZ_CHECK(ds.count >= 0 && ds.rows >= 1 && ds.cols >= 1);
    LENET_FUZZ_CHECK(ds.pixels.size() == size_t(ds.count) * size_t(ds.rows) * size_t(ds.cols));
    LENET_FUZZ_CHECK(ds.labels.size() == size_t(ds.count));
    for (uint8_t l : ds.labels) LENET_FUZZ_CHECK(l <= 9);
    if (ds.count > 0) {
        static const lenet::ArchSpec paper = lenet::arch_preset("lenet5-1998");
        std::vector<float> x(size_t(paper.input.size()));
        lenet::prepare_input(paper, ds.image(ds.count - 1), ds.rows, ds.cols, x.data());
        for (float v : x) LENET_FUZZ_CHECK(v >= -0.1f - 1e-6f && v <= 1.175f + 1e-6f);
    }
    // max_count must cut, never read past.
    lenet::Dataset one;
    LENET_FUZZ_CHECK(fuzz::run([&] { one = lenet::load_idx_memory(images, images_size, "images", labels, L, "labels", 1); }));
    LENET_FUZZ_CHECK(one.count == (ds.count > 0 ? 1 : 0));
    return 0;
}
