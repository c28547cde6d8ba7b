// fuzz_image.cpp — image decoding (stb_image behind our PNM/size checks) and MNIST-style
// preprocessing. The bytes are decoded as a file; independently, they are also fed to preprocess_gray
// as a raw grayscale image (width from the first byte), which exercises every preprocessing step.
#include "fuzz_common.h"

namespace {
void check_pre(const lenet::Preprocessed& p, int w, int h) {
    LENET_FUZZ_CHECK(p.gray_w == w && p.gray_h == h);
    LENET_FUZZ_CHECK(p.gray.size() == size_t(w) * size_t(h));
    LENET_FUZZ_CHECK(p.fit20.size() == 400 && p.mnist28.size() == 784);
    if (!p.empty) {
        LENET_FUZZ_CHECK(p.crop.size() == size_t(p.crop_w) * size_t(p.crop_h));
        LENET_FUZZ_CHECK(p.crop_x >= 0 && p.crop_y >= 0 && p.crop_x + p.crop_w <= w && p.crop_y + p.crop_h <= h);
        LENET_FUZZ_CHECK(p.fit_w >= 1 && p.fit_w <= 20 && p.fit_h >= 1 && p.fit_h <= 20);
        static const lenet::ArchSpec modern = lenet::arch_preset("lenet5");
        std::vector<float> x(size_t(modern.input.size()));
        lenet::prepare_input(modern, p.mnist28.data(), 28, 28, x.data());
        for (float v : x) LENET_FUZZ_CHECK(v >= 0.0f && v <= 1.0f);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > (size_t(4) << 20)) return 0;
    lenet::GrayImage img;
    if (fuzz::run([&] { img = lenet::decode_image(data, size, "fuzz.img"); })) {
        LENET_FUZZ_CHECK(img.w >= 1 && img.h >= 1 && img.w <= lenet::kMaxImageSide && img.h <= lenet::kMaxImageSide);
        LENET_FUZZ_CHECK(img.pixels.size() == size_t(img.w) * size_t(img.h));
        LENET_FUZZ_CHECK(!img.has_alpha || img.alpha.size() == img.pixels.size());
        lenet::Preprocessed p;
        LENET_FUZZ_CHECK(fuzz::run([&] { p = lenet::preprocess_image(img); }));
        check_pre(p, img.w, img.h);
    }
    if (size >= 2) {
        const int w = 1 + data[0] % 64;
        const int h = int((size - 1) / size_t(w));
        if (h >= 1 && h <= lenet::kMaxImageSide) {
            lenet::Preprocessed p;
            LENET_FUZZ_CHECK(fuzz::run([&] { p = lenet::preprocess_gray(data + 1, w, h); }));
            check_pre(p, w, h);
        }
    }
    return 0;
}
