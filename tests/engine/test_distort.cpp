// test_distort.cpp — seeded affine distortions: determinism, ranges, exact pixel moves for known
// transforms, ink roughly preserved by small distortions.
#include "lenet/lenet.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {
int sum_ink(const std::vector<uint8_t>& v) {
    int s = 0;
    for (uint8_t p : v) s += p;
    return s;
}
}  // namespace

TEST_SUITE("distort") {

TEST_CASE("distort: the same seed gives the same transform, and seeds differ by pass and index") {
    lenet::DistortParams p;
    p.p_original = 0.0f;
    const uint64_t s = lenet::distort_seed(42, 3, 1234);
    CHECK(s == lenet::distort_seed(42, 3, 1234));
    CHECK(s != lenet::distort_seed(42, 4, 1234));
    CHECK(s != lenet::distort_seed(42, 3, 1235));
    CHECK(s != lenet::distort_seed(43, 3, 1234));
    lenet::Distortion a = lenet::distort_draw(p, s), b = lenet::distort_draw(p, s);
    CHECK(a.dx == b.dx);
    CHECK(a.rotate == b.rotate);
    CHECK(a.shear == b.shear);
    CHECK_FALSE(a.identity);
}

TEST_CASE("distort: drawn values stay within the documented ranges") {
    lenet::DistortParams p;  // defaults: shift 2, scale 0.1, squeeze 0.1, shear 0.2, rotate 8, p_original 0.1
    int identity = 0, n = 4000;
    float max_dx = 0, max_rot = 0;
    for (int i = 0; i < n; ++i) {
        lenet::Distortion d = lenet::distort_draw(p, lenet::distort_seed(1, 0, i));
        if (d.identity) { ++identity; continue; }
        CHECK(std::fabs(d.dx) <= p.max_shift);
        CHECK(std::fabs(d.dy) <= p.max_shift);
        CHECK(std::fabs(d.scale - 1.0f) <= p.max_scale + 1e-6f);
        CHECK(std::fabs(d.squeeze) <= p.max_squeeze);
        CHECK(std::fabs(d.shear) <= p.max_shear);
        CHECK(std::fabs(d.rotate) <= p.max_rotate);
        max_dx = std::max(max_dx, std::fabs(d.dx));
        max_rot = std::max(max_rot, std::fabs(d.rotate));
    }
    // About 10% undistorted, and the ranges are actually used.
    CHECK(identity > n * 0.07);
    CHECK(identity < n * 0.13);
    CHECK(max_dx > 1.9f);
    CHECK(max_rot > 7.5f);
}

TEST_CASE("distort: known transforms move pixels where expected") {
    // 5x5 image, centre (2, 2), one lit pixel right of the centre at (x=3, y=2).
    std::vector<uint8_t> in(25, 0), out(25, 0);
    in[2 * 5 + 3] = 200;
    SUBCASE("translation by (+1, +1)") {
        lenet::Distortion d;
        d.identity = false;
        d.dx = 1; d.dy = 1;
        lenet::distort_apply(d, in.data(), 5, 5, out.data());
        CHECK(out[3 * 5 + 4] == 200);
        CHECK(sum_ink(out) == 200);
    }
    SUBCASE("rotation by 90 degrees: (+1, 0) from the centre goes to (0, +1)") {
        lenet::Distortion d;
        d.identity = false;
        d.rotate = 90;
        lenet::distort_apply(d, in.data(), 5, 5, out.data());
        CHECK(out[3 * 5 + 2] == 200);
        CHECK(sum_ink(out) == 200);
    }
    SUBCASE("scale 2 about the centre: (+1, 0) goes to (+2, 0)") {
        lenet::Distortion d;
        d.identity = false;
        d.scale = 2;
        lenet::distort_apply(d, in.data(), 5, 5, out.data());
        CHECK(out[2 * 5 + 4] == 200);
        CHECK(out[2 * 5 + 3] == 100);  // bilinear: half-way sample
    }
    SUBCASE("horizontal shear keeps the centre row") {
        lenet::Distortion d;
        d.identity = false;
        d.shear = 1;
        lenet::distort_apply(d, in.data(), 5, 5, out.data());
        CHECK(out == in);
    }
    SUBCASE("identity copies") {
        lenet::Distortion d;
        lenet::distort_apply(d, in.data(), 5, 5, out.data());
        CHECK(out == in);
    }
    CHECK_THROWS_AS(lenet::distort_apply(lenet::Distortion(), in.data(), 5, 5, in.data()), lenet::Error);
}

TEST_CASE("distort: small distortions of a centred blob keep most of its ink inside the frame") {
    std::vector<uint8_t> in(28 * 28, 0), out(28 * 28);
    for (int y = 8; y < 20; ++y)
        for (int x = 10; x < 18; ++x) in[size_t(y) * 28 + x] = 255;
    lenet::DistortParams p;
    p.p_original = 0.0f;
    const int ink = sum_ink(in);
    bool any_change = false;
    for (int i = 0; i < 50; ++i) {
        lenet::Distortion d = lenet::distort_draw(p, lenet::distort_seed(9, 0, i));
        lenet::distort_apply(d, in.data(), 28, 28, out.data());
        const double ratio = double(sum_ink(out)) / ink;
        // Area changes by scale^2 (squeeze keeps area): within (0.9^2, 1.1^2) plus rounding.
        CHECK(ratio > 0.75);
        CHECK(ratio < 1.30);
        any_change = any_change || out != in;
    }
    CHECK(any_change);
}

}  // TEST_SUITE
