// test_transform.cpp — the invariance lab's transforms (lenet::transform_apply): the identity is
// exact, shifts move pixels, the affine part is training's distort_apply, stroke thickness grows and
// thins, seeded salt-and-pepper noise, and out-of-range values refused with a clear error.
#include "lenet/lenet.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

constexpr int kSide = 28;

// A digit-like test image: a ring of ink with soft edges, and some texture inside.
std::vector<uint8_t> ring() {
    std::vector<uint8_t> v(kSide * kSide, 0);
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            const double r = std::hypot(x - 13.5, y - 12.0);
            const double ink = 1.0 - std::fabs(r - 6.0) / 2.5;
            if (ink > 0) v[size_t(y * kSide + x)] = uint8_t(std::lround(255 * ink));
        }
    v[12 * kSide + 13] = 77;
    return v;
}

int count_nonzero(const std::vector<uint8_t>& v) {
    int n = 0;
    for (uint8_t p : v) n += p != 0;
    return n;
}

std::vector<uint8_t> transformed(const lenet::Transform& t, const std::vector<uint8_t>& in) {
    std::vector<uint8_t> out(in.size(), 0);
    lenet::transform_apply(t, in.data(), kSide, kSide, out.data());
    return out;
}

}  // namespace

TEST_SUITE("transform") {

TEST_CASE("transform: the default transform is exactly the identity") {
    const std::vector<uint8_t> in = ring();
    CHECK(transformed(lenet::Transform(), in) == in);
    lenet::Transform t;
    t.seed = 1234;  // a seed without noise changes nothing
    CHECK(transformed(t, in) == in);
}

TEST_CASE("transform: a whole-pixel shift moves every pixel, and ink from outside the frame is 0") {
    const std::vector<uint8_t> in = ring();
    lenet::Transform t;
    t.dx = 3;
    t.dy = -2;
    const std::vector<uint8_t> out = transformed(t, in);
    CHECK(out != in);
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            const int sx = x - 3, sy = y + 2;  // where the pixel came from
            const uint8_t want = sx >= 0 && sy < kSide ? in[size_t(sy * kSide + sx)] : 0;
            REQUIRE(out[size_t(y * kSide + x)] == want);
        }
}

TEST_CASE("transform: scale, rotation and shear are training's distort_apply") {
    const std::vector<uint8_t> in = ring();
    lenet::Transform t;
    t.dx = -1.5f;
    t.scale = 1.3f;
    t.rotate = -30;
    t.shear = 0.4f;
    lenet::Distortion d;
    d.identity = false;
    d.dx = t.dx;
    d.scale = t.scale;
    d.rotate = t.rotate;
    d.shear = t.shear;
    std::vector<uint8_t> want(in.size());
    lenet::distort_apply(d, in.data(), kSide, kSide, want.data());
    const std::vector<uint8_t> out = transformed(t, in);
    CHECK(out == want);
    CHECK(out != in);
}

TEST_CASE("transform: stroke thickness grows and thins by whole pixels and blends fractions") {
    std::vector<uint8_t> dot(kSide * kSide, 0);
    dot[10 * kSide + 10] = 200;
    lenet::Transform t;
    t.thickness = 1;
    std::vector<uint8_t> out = transformed(t, dot);
    CHECK(count_nonzero(out) == 5);  // the pixel and its 4 neighbours
    CHECK(out[9 * kSide + 10] == 200);
    CHECK(out[10 * kSide + 11] == 200);
    CHECK(out[9 * kSide + 11] == 0);
    t.thickness = 2;
    CHECK(count_nonzero(transformed(t, dot)) == 13);  // a diamond of radius 2
    t.thickness = 0.5f;
    out = transformed(t, dot);
    CHECK(out[10 * kSide + 10] == 200);
    CHECK(out[9 * kSide + 10] == 100);  // half way to the grown stroke
    t.thickness = -1;
    CHECK(count_nonzero(transformed(t, dot)) == 0);  // a 1-pixel stroke thins away
    // A thick bar thins by one pixel on each side.
    std::vector<uint8_t> bar(kSide * kSide, 0);
    for (int y = 5; y < 20; ++y)
        for (int x = 10; x < 15; ++x) bar[size_t(y * kSide + x)] = 255;
    out = transformed(t, bar);
    CHECK(count_nonzero(out) == 13 * 3);
    CHECK(out[12 * kSide + 10] == 0);
    CHECK(out[12 * kSide + 11] == 255);
}

TEST_CASE("transform: salt-and-pepper noise hits about the asked fraction, by seed, more noise a superset") {
    const std::vector<uint8_t> gray(kSide * kSide, 128);
    lenet::Transform t;
    t.noise = 0.1f;
    t.seed = 7;
    const std::vector<uint8_t> a = transformed(t, gray), again = transformed(t, gray);
    CHECK(a == again);
    int hit = 0, white = 0;
    for (uint8_t p : a) {
        CHECK((p == 128 || p == 0 || p == 255));
        hit += p != 128;
        white += p == 255;
    }
    CHECK(hit > 40);  // 78 expected of 784
    CHECK(hit < 120);
    CHECK(white > hit / 4);
    CHECK(white < hit * 3 / 4);
    t.seed = 8;
    CHECK(transformed(t, gray) != a);
    t.seed = 7;
    t.noise = 0.3f;
    const std::vector<uint8_t> more = transformed(t, gray);
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] != 128) REQUIRE(more[i] == a[i]);
}

TEST_CASE("transform: values outside the ranges are refused with the value and the range, out untouched") {
    const std::vector<uint8_t> in = ring();
    struct Bad { const char* what; void (*set)(lenet::Transform&); };
    const Bad bad[] = {
        {"dx is 7; it must be within -6..6 pixels", [](lenet::Transform& t) { t.dx = 7; }},
        {"dy is -6.5", [](lenet::Transform& t) { t.dy = -6.5f; }},
        {"scale is 0.5; it must be within 0.6..1.4", [](lenet::Transform& t) { t.scale = 0.5f; }},
        {"scale is nan", [](lenet::Transform& t) { t.scale = std::nanf(""); }},
        {"rotate is 90; it must be within -45..45 degrees", [](lenet::Transform& t) { t.rotate = 90; }},
        {"shear is inf", [](lenet::Transform& t) { t.shear = INFINITY; }},
        {"thickness is -3", [](lenet::Transform& t) { t.thickness = -3; }},
        {"noise is -0.1", [](lenet::Transform& t) { t.noise = -0.1f; }},
        {"noise is 0.9; it must be within 0..0.5", [](lenet::Transform& t) { t.noise = 0.9f; }},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.what);
        lenet::Transform t;
        b.set(t);
        std::vector<uint8_t> out(in.size(), 9);
        bool threw = false;
        try {
            lenet::transform_apply(t, in.data(), kSide, kSide, out.data());
        } catch (const lenet::Error& e) {
            threw = true;
            CHECK(e.kind() == lenet::ErrorKind::Value);
            CHECK(std::string(e.what()).find(b.what) != std::string::npos);
            CHECK(e.where() == "transform");
        }
        CHECK(threw);
        CHECK(out == std::vector<uint8_t>(in.size(), 9));
    }
    // The limits themselves are accepted.
    lenet::Transform edge;
    edge.dx = -6;
    edge.dy = 6;
    edge.scale = 1.4f;
    edge.rotate = -45;
    edge.shear = 1;
    edge.thickness = 2;
    edge.noise = 0.5f;
    CHECK_NOTHROW(transformed(edge, in));
}

}  // TEST_SUITE
