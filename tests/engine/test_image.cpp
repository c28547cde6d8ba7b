// test_image.cpp — image decoding and MNIST-style preprocessing. Fixture images are made here with
// stb_image_write (PNG, BMP, JPEG) or by hand (PGM), never committed as binaries.
#include "io_fixtures.h"

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cmath>

#if defined(__SANITIZE_ADDRESS__)
#define LENET_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define LENET_TEST_SANITIZED 1
#endif
#endif
#ifndef LENET_TEST_SANITIZED
#define LENET_TEST_SANITIZED 0
#endif

using namespace fixtures;
using lenet::ErrorKind;

namespace {

void append(void* ctx, void* data, int size) {
    auto* out = static_cast<Bytes*>(ctx);
    const uint8_t* p = static_cast<const uint8_t*>(data);
    out->insert(out->end(), p, p + size);
}

Bytes png(int w, int h, int comp, const Bytes& px) {
    Bytes out;
    REQUIRE(stbi_write_png_to_func(append, &out, w, h, comp, px.data(), w * comp) != 0);
    return out;
}
Bytes bmp(int w, int h, int comp, const Bytes& px) {
    Bytes out;
    REQUIRE(stbi_write_bmp_to_func(append, &out, w, h, comp, px.data()) != 0);
    return out;
}
[[maybe_unused]] Bytes jpg(int w, int h, int comp, const Bytes& px) {
    Bytes out;
    REQUIRE(stbi_write_jpg_to_func(append, &out, w, h, comp, px.data(), 95) != 0);
    return out;
}
Bytes pgm(int w, int h, const Bytes& px) {
    std::string head = "P5\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
    Bytes out(head.begin(), head.end());
    out.insert(out.end(), px.begin(), px.end());
    return out;
}

// A w x h canvas of `bg` with filled rectangles of `ink`.
struct Canvas {
    int   w, h;
    Bytes px;
    Canvas(int w_, int h_, uint8_t bg) : w(w_), h(h_), px(size_t(w_) * h_, bg) {}
    void rect(int x0, int y0, int rw, int rh, uint8_t v) {
        for (int y = y0; y < y0 + rh; y++)
            for (int x = x0; x < x0 + rw; x++) px[size_t(y) * w + x] = v;
    }
};

// Centre of mass of a 28x28 image, in pixel-index coordinates.
void com28(const std::vector<uint8_t>& img, double& cx, double& cy) {
    double s = 0, sx = 0, sy = 0;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            double v = img[size_t(y) * 28 + x];
            s += v; sx += v * x; sy += v * y;
        }
    REQUIRE(s > 0);
    cx = sx / s;
    cy = sy / s;
}

lenet::GrayImage decode(const Bytes& b) { return lenet::decode_image(b.data(), b.size(), "img"); }

}  // namespace

TEST_SUITE("image") {

TEST_CASE("image: decoding PNG, PGM, BMP and JPEG to grayscale") {
    Canvas c(13, 7, 10);
    c.rect(2, 1, 5, 4, 200);
    SUBCASE("gray PNG and PGM are exact") {
        lenet::GrayImage a = decode(png(c.w, c.h, 1, c.px));
        CHECK(a.w == 13);
        CHECK(a.h == 7);
        CHECK_FALSE(a.has_alpha);
        CHECK(a.pixels == c.px);
        CHECK(decode(pgm(c.w, c.h, c.px)).pixels == c.px);
    }
    SUBCASE("RGB is converted by luminance") {
        Bytes rgb;
        for (uint8_t v : c.px) { rgb.push_back(v); rgb.push_back(v); rgb.push_back(v); }
        CHECK(decode(png(c.w, c.h, 3, rgb)).pixels == c.px);
        CHECK(decode(bmp(c.w, c.h, 3, rgb)).pixels == c.px);
        Bytes red = {255, 0, 0}, green = {0, 255, 0};
        int r = decode(png(1, 1, 3, red)).pixels[0], g = decode(png(1, 1, 3, green)).pixels[0];
        CHECK(g > r);  // green is brighter than red to the eye
    }
#if !LENET_TEST_SANITIZED  // stb_image_write's JPEG encoder left-shifts negative ints (UB in C++17)
    SUBCASE("JPEG is lossy but close") {
        lenet::GrayImage j = decode(jpg(c.w, c.h, 1, c.px));
        REQUIRE(j.pixels.size() == c.px.size());
        double err = 0;
        for (size_t i = 0; i < c.px.size(); i++) err += std::abs(int(j.pixels[i]) - int(c.px[i]));
        CHECK(err / double(c.px.size()) < 12.0);
    }
#endif
    SUBCASE("alpha is composited on white and kept") {
        Bytes ga = {0, 255, 0, 0, 0, 128};  // opaque black, transparent black, half-transparent black
        lenet::GrayImage a = decode(png(3, 1, 2, ga));
        REQUIRE(a.has_alpha);
        CHECK(a.pixels[0] == 0);
        CHECK(a.pixels[1] == 255);
        CHECK(std::abs(int(a.pixels[2]) - 127) <= 1);
        CHECK(a.alpha == Bytes{255, 0, 128});
    }
}

TEST_CASE("image: bad image files") {
    Canvas c(8, 8, 0);
    Bytes good = png(8, 8, 1, c.px);
    CHECK_LENET_ERROR(decode(Bytes{}), ErrorKind::Format, "empty file");
    CHECK_LENET_ERROR(decode(prefix(good, 8)), ErrorKind::Format, "not a PNG");
    CHECK_LENET_ERROR(decode(prefix(good, good.size() - 20)), ErrorKind::Format, "img");
    Bytes junk(300, 0x55);
    CHECK_LENET_ERROR(decode(junk), ErrorKind::Format, "not a PNG, PGM/PPM, BMP or JPEG");
    Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ';'};
    CHECK_LENET_ERROR(decode(gif), ErrorKind::Format, "not a PNG");
    // A header claiming 5000x5000 (or 2^31 x 1) is refused before any pixel is decoded.
    CHECK_LENET_ERROR(decode(pgm(5000, 5000, {})), ErrorKind::Format, "5000x5000, not in 1..4096");
    CHECK_LENET_ERROR(decode(pgm(2147483647, 1, {})), ErrorKind::Format, "absurdly large");
    Bytes big = png(8, 8, 1, c.px);
    // IHDR width at offset 16 (big-endian): 8 -> 5000.
    big[16] = 0; big[17] = 0; big[18] = 0x13; big[19] = 0x88;
    CHECK_LENET_ERROR(decode(big), ErrorKind::Format, "img");
    CHECK_LENET_ERROR(decode(pgm(8, 8, Bytes(10, 1))), ErrorKind::Format, "truncated: PNM pixel data");
    Bytes header_only = {'P', '5', ' ', '8'};
    CHECK_LENET_ERROR(decode(header_only), ErrorKind::Format, "no height");

    TempDir dir;
    CHECK_LENET_ERROR(lenet::load_image(dir.path.string()), ErrorKind::Io, "is a directory");
    CHECK_LENET_ERROR(lenet::load_image(dir.file("missing.png")), ErrorKind::Io, "cannot open");
    std::string empty = dir.write("empty.png", {});
    CHECK_LENET_ERROR(lenet::load_image(empty), ErrorKind::Format, "empty file");
    CHECK_LENET_ERROR(lenet::preprocess_image_file(dir.write("junk.png", junk)), ErrorKind::Format, "junk.png");
    CHECK_LENET_ERROR(lenet::preprocess_gray(c.px.data(), 0, 8), ErrorKind::Usage, "image size");
    CHECK_LENET_ERROR(lenet::preprocess_gray(nullptr, 8, 8), ErrorKind::Usage, "image size");
}

TEST_CASE("image: preprocessing a dark digit on white paper") {
    // A 10 x 40 bar (an "1") in a 100 x 100 white image.
    Canvas c(100, 100, 255);
    c.rect(30, 20, 10, 40, 0);
    TempDir dir;
    std::string path = dir.write("one.png", png(c.w, c.h, 1, c.px));
    lenet::Preprocessed p = lenet::preprocess_image_file(path);
    REQUIRE_FALSE(p.empty);
    CHECK(p.inverted);
    CHECK(p.gray_w == 100);
    CHECK(p.gray.size() == 100 * 100);
    CHECK(p.gray[0] == 0);                // background became 0 ...
    CHECK(p.gray[25 * 100 + 35] == 255);  // ... and ink 255
    CHECK(p.crop_x == 30);
    CHECK(p.crop_y == 20);
    CHECK(p.crop_w == 10);
    CHECK(p.crop_h == 40);
    CHECK(p.crop.size() == 400);
    CHECK(p.fit_w == 5);                  // aspect ratio kept: 10x40 -> 5x20
    CHECK(p.fit_h == 20);
    REQUIRE(p.fit20.size() == 400);
    REQUIRE(p.mnist28.size() == 784);
    // fit20: a solid 5x20 bar centred horizontally (columns 7..11), area averaging keeps it 255.
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 20; x++) CHECK(p.fit20[size_t(y) * 20 + x] == ((x >= 7 && x < 12) ? 255 : 0));
    double cx, cy;
    com28(p.mnist28, cx, cy);
    CHECK(std::abs(cx - 13.5) <= 0.5);
    CHECK(std::abs(cy - 13.5) <= 0.5);
}

TEST_CASE("image: the drawing pad (ink high) gives the same digit as paper (ink low)") {
    Canvas pad(64, 64, 0);
    pad.rect(10, 8, 30, 6, 255);   // a "7": top bar ...
    pad.rect(32, 14, 6, 40, 255);  // ... and stem
    Canvas paper = pad;
    for (uint8_t& v : paper.px) v = uint8_t(255 - v);
    lenet::Preprocessed a = lenet::preprocess_gray(pad.px.data(), pad.w, pad.h);
    lenet::Preprocessed b = lenet::preprocess_gray(paper.px.data(), paper.w, paper.h);
    REQUIRE_FALSE(a.empty);
    CHECK_FALSE(a.inverted);
    CHECK(b.inverted);
    CHECK(a.mnist28 == b.mnist28);
    CHECK(a.crop_w == 30);
    CHECK(a.crop_h == 46);
    // Centre of mass (not the box centre) goes to the middle: this 7 is top- and right-heavy.
    double cx, cy;
    com28(a.mnist28, cx, cy);
    CHECK(std::abs(cx - 13.5) <= 0.5);
    CHECK(std::abs(cy - 13.5) <= 0.5);
    CHECK(a.shift_x != 0);
}

TEST_CASE("image: transparent PNG: alpha is the ink, whatever its colour") {
    // White ink on a transparent background: composited on white it would vanish.
    Bytes ga(40 * 40 * 2, 0);
    for (int y = 5; y < 35; y++)
        for (int x = 18; x < 22; x++) { ga[size_t(y * 40 + x) * 2] = 255; ga[size_t(y * 40 + x) * 2 + 1] = 255; }
    lenet::GrayImage img = decode(png(40, 40, 2, ga));
    lenet::Preprocessed p = lenet::preprocess_image(img);
    REQUIRE_FALSE(p.empty);
    CHECK(p.crop_w == 4);
    CHECK(p.crop_h == 30);
}

TEST_CASE("image: blank images and extreme shapes") {
    Canvas blank(50, 30, 255);
    lenet::Preprocessed p = lenet::preprocess_gray(blank.px.data(), blank.w, blank.h);
    CHECK(p.empty);
    CHECK(p.mnist28 == Bytes(784, 0));
    CHECK(p.fit20 == Bytes(400, 0));
    Canvas faint(50, 30, 128);
    faint.rect(10, 10, 5, 5, 140);  // contrast below the ink threshold
    CHECK(lenet::preprocess_gray(faint.px.data(), faint.w, faint.h).empty);
    Canvas one(1, 1, 255);
    CHECK(lenet::preprocess_gray(one.px.data(), 1, 1).empty);

    // A single ink pixel: enlarged to 20x20, centred.
    Canvas dot(9, 9, 0);
    dot.rect(2, 6, 1, 1, 255);
    lenet::Preprocessed d = lenet::preprocess_gray(dot.px.data(), dot.w, dot.h);
    REQUIRE_FALSE(d.empty);
    CHECK(d.fit_w == 20);
    CHECK(d.fit_h == 20);
    CHECK(d.mnist28[4 * 28 + 4] == 255);
    CHECK(d.mnist28[0] == 0);

    // A very wide line: 1 pixel high after fitting, nothing leaves the 28x28 frame.
    Canvas line(400, 9, 0);
    line.rect(0, 4, 400, 1, 255);
    lenet::Preprocessed l = lenet::preprocess_gray(line.px.data(), line.w, line.h);
    REQUIRE_FALSE(l.empty);
    CHECK(l.fit_w == 20);
    CHECK(l.fit_h == 1);
    int ink = 0;
    for (uint8_t v : l.mnist28) ink += v > 0;
    CHECK(ink == 20);

    // Down-scaling by area averaging: a 40x40 checkerboard of single pixels becomes flat grey.
    Canvas chk(44, 44, 0);
    for (int y = 2; y < 42; y++)
        for (int x = 2; x < 42; x++)
            if ((x + y) % 2) chk.px[size_t(y) * 44 + x] = 255;
    lenet::Preprocessed g = lenet::preprocess_gray(chk.px.data(), chk.w, chk.h);
    REQUIRE_FALSE(g.empty);
    CHECK(std::abs(int(g.fit20[10 * 20 + 10]) - 128) <= 2);
}

}  // TEST_SUITE

TEST_SUITE("image") {

TEST_CASE("image: enlarged MNIST digits on white paper come back as MNIST digits") {
    // The first 200 test digits, drawn 4x larger as dark ink on white with uneven margins, must be
    // turned back into (nearly) the original 28x28 digits: same size, and placed by centre of mass
    // within one pixel of where MNIST put them (its centring was not on whole pixels).
    lenet::Dataset test = lenet::load_dataset_dir(lenet::default_data_dir("mnist", LENET_SOURCE_DIR), "test", 200);
    int exact = 0, close = 0;
    double worst = 0;
    for (int n = 0; n < test.count; n++) {
        const uint8_t* d = test.image(n);
        const int W = 28 * 4 + 50, H = 28 * 4 + 30;
        Canvas paper(W, H, 255);
        for (int y = 0; y < 112; y++)
            for (int x = 0; x < 112; x++) paper.px[size_t(y + 10) * W + x + 40] = uint8_t(255 - d[(y / 4) * 28 + x / 4]);
        lenet::Preprocessed p = lenet::preprocess_gray(paper.px.data(), W, H);
        REQUIRE_FALSE(p.empty);
        CHECK(p.inverted);
        // Best whole-pixel alignment with the original, mean absolute difference per pixel.
        double best = 1e9;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                double sum = 0;
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++) {
                        int sy = y - dy, sx = x - dx;
                        int o = (sy >= 0 && sy < 28 && sx >= 0 && sx < 28) ? d[sy * 28 + sx] : 0;
                        sum += std::abs(o - int(p.mnist28[size_t(y) * 28 + x]));
                    }
                best = std::min(best, sum / 784.0);
            }
        exact += best == 0.0;
        close += best < 1.0;
        worst = std::max(worst, best);
    }
    MESSAGE("enlarged MNIST digits: " << exact << " exact, " << close << " of " << test.count
                                      << " within 1/255 mean difference, worst " << worst);
    CHECK(close == test.count);
    CHECK(exact >= test.count / 2);
}

}  // TEST_SUITE
