// distort.cpp — seeded data augmentation: random planar affine distortions of a uint8 digit image,
// and the invariance lab's chosen transforms (the same affine resampling, plus stroke thickness and
// salt-and-pepper noise).
//
// The paper (Section III.C.2) grew the 60,000 MNIST training digits to 600,000 with 540,000
// "artificially distorted" copies: "combinations of the following planar affine transformations:
// horizontal and vertical translations, scaling, squeezing (simultaneous horizontal compression and
// vertical elongation, or the reverse), and horizontal shearing". We draw such a transform afresh
// for every presentation instead of storing copies, plus a small rotation.
// Ranges: lenet::DistortParams (documented in docs/training.md). Limits: the image keeps its size,
// ink moved outside the frame is lost, bilinear resampling blurs strokes slightly.
//
// Determinism: our own splitmix64 generator and explicit float formulas, no <random> distributions
// (their output differs between standard libraries).
#include "lenet/lenet.h"

#include "rng.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace lenet {

namespace {

using detail::splitmix64;

// Uniform in [0, 1) with 24 random bits (exactly representable as float).
inline float unit01(uint64_t& s) { return float(splitmix64(s) >> 40) * (1.0f / 16777216.0f); }
// Uniform in [-1, 1).
inline float sym1(uint64_t& s) { return 2.0f * unit01(s) - 1.0f; }

}  // namespace

uint64_t distort_seed(uint64_t seed, int64_t epoch, int64_t index) {
    uint64_t s = seed ^ 0xD1B54A32D192ED03ull;
    uint64_t a = splitmix64(s);
    s = a ^ (uint64_t(epoch) * 0x9E3779B97F4A7C15ull);
    uint64_t b = splitmix64(s);
    s = b ^ (uint64_t(index) * 0xC2B2AE3D27D4EB4Full);
    return splitmix64(s);
}

Distortion distort_draw(const DistortParams& p, uint64_t sample_seed) {
    uint64_t s = sample_seed;
    Distortion d;
    // Always draw every number, so the sequence does not depend on p_original.
    float u      = unit01(s);
    float dx     = p.max_shift * sym1(s);
    float dy     = p.max_shift * sym1(s);
    float scale  = 1.0f + p.max_scale * sym1(s);
    float sq     = p.max_squeeze * sym1(s);
    float shear  = p.max_shear * sym1(s);
    float rotate = p.max_rotate * sym1(s);
    if (u < p.p_original) return d;  // identity
    d.identity = false;
    d.dx = dx; d.dy = dy; d.scale = scale; d.squeeze = sq; d.shear = shear; d.rotate = rotate;
    return d;
}

void distort_apply(const Distortion& d, const uint8_t* in, int rows, int cols, uint8_t* out) {
    if (rows <= 0 || cols <= 0) throw Error(ErrorKind::Usage, "distort_apply", "empty image");
    if (in == out) throw Error(ErrorKind::Usage, "distort_apply", "output must not alias the input");
    const size_t n = size_t(rows) * size_t(cols);
    if (d.identity) {
        for (size_t i = 0; i < n; ++i) out[i] = in[i];
        return;
    }
    // Forward map about the centre c: p' = R(theta) * Shear(k) * diag(s (1+q), s / (1+q)) (p - c) + c + t.
    const float cx = 0.5f * float(cols - 1), cy = 0.5f * float(rows - 1);
    const float sx = d.scale * (1.0f + d.squeeze), sy = d.scale / (1.0f + d.squeeze);
    const float th = d.rotate * 3.14159265358979f / 180.0f;
    const float c = std::cos(th), s = std::sin(th);
    // Shear * Scale = [[sx, k sy], [0, sy]]; then rotate.
    const float a00 = c * sx, a01 = c * d.shear * sy - s * sy;
    const float a10 = s * sx, a11 = s * d.shear * sy + c * sy;
    const float det = a00 * a11 - a01 * a10;
    // Inverse for sampling: p = A^-1 (p' - c - t) + c.
    const float i00 = a11 / det, i01 = -a01 / det, i10 = -a10 / det, i11 = a00 / det;
    for (int y = 0; y < rows; ++y) {
        for (int x = 0; x < cols; ++x) {
            const float ux = float(x) - cx - d.dx, uy = float(y) - cy - d.dy;
            const float px = i00 * ux + i01 * uy + cx;
            const float py = i10 * ux + i11 * uy + cy;
            const float fx = std::floor(px), fy = std::floor(py);
            const int   x0 = int(fx), y0 = int(fy);
            const float wx = px - fx, wy = py - fy;
            float v = 0.0f;
            // Bilinear with zero outside the frame.
            for (int j = 0; j < 2; ++j) {
                const int yy = y0 + j;
                if (yy < 0 || yy >= rows) continue;
                const float wyj = j ? wy : 1.0f - wy;
                for (int i = 0; i < 2; ++i) {
                    const int xx = x0 + i;
                    if (xx < 0 || xx >= cols) continue;
                    const float wxi = i ? wx : 1.0f - wx;
                    v += wyj * wxi * float(in[size_t(yy) * cols + xx]);
                }
            }
            int iv = int(v + 0.5f);
            out[size_t(y) * cols + x] = uint8_t(iv < 0 ? 0 : (iv > 255 ? 255 : iv));
        }
    }
}

namespace {

// One step of grey-level morphology with the 3x3 cross (the pixel and its 4 neighbours): the
// maximum grows strokes by one pixel, the minimum thins them. Outside the frame counts as 0.
void morph_step(const uint8_t* in, int rows, int cols, bool grow, uint8_t* out) {
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const size_t i = size_t(y) * size_t(cols) + size_t(x);
            uint8_t v = in[i];
            const uint8_t n[4] = {y > 0 ? in[i - size_t(cols)] : uint8_t(0), y + 1 < rows ? in[i + size_t(cols)] : uint8_t(0),
                                  x > 0 ? in[i - 1] : uint8_t(0), x + 1 < cols ? in[i + 1] : uint8_t(0)};
            for (uint8_t m : n) v = grow ? std::max(v, m) : std::min(v, m);
            out[i] = v;
        }
}

// |t| whole steps, then a blend with one more step by the fraction left: thickness 0.5 lies half
// way between the stroke and the stroke grown by a pixel.
void thicken(float t, uint8_t* img, int rows, int cols) {
    const size_t n = size_t(rows) * size_t(cols);
    const bool grow = t > 0;
    const float a = std::fabs(t);
    const int whole = int(a);
    const float frac = a - float(whole);
    std::vector<uint8_t> tmp(n);
    for (int k = 0; k < whole; ++k) {
        morph_step(img, rows, cols, grow, tmp.data());
        std::copy(tmp.begin(), tmp.end(), img);
    }
    if (frac <= 0.0f) return;
    morph_step(img, rows, cols, grow, tmp.data());
    for (size_t i = 0; i < n; ++i)
        img[i] = uint8_t(std::lround(float(img[i]) + frac * (float(tmp[i]) - float(img[i]))));
}

// Each pixel draws two numbers whatever the amount, so with the same seed more noise hits a
// superset of the pixels hit by less, with the same colours.
void salt_and_pepper(float amount, uint64_t seed, uint8_t* img, size_t n) {
    uint64_t s = seed ^ 0x5A17A9D9E99E12C3ull;
    for (size_t i = 0; i < n; ++i) {
        const float u = unit01(s);
        const bool white = (splitmix64(s) >> 63) != 0;
        if (u < amount) img[i] = white ? 255 : 0;
    }
}

void check_range(const std::string& where, const char* name, float v, float lo, float hi, const char* unit) {
    if (v >= lo && v <= hi) return;  // NaN fails
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s is %g; it must be within %g..%g%s", name, double(v), double(lo), double(hi), unit);
    throw Error(ErrorKind::Value, where, buf);
}

}  // namespace

void transform_validate(const Transform& t, const std::string& where) {
    using L = TransformLimits;
    check_range(where, "dx", t.dx, -L::max_shift, L::max_shift, " pixels");
    check_range(where, "dy", t.dy, -L::max_shift, L::max_shift, " pixels");
    check_range(where, "scale", t.scale, L::min_scale, L::max_scale, "");
    check_range(where, "rotate", t.rotate, -L::max_rotate, L::max_rotate, " degrees");
    check_range(where, "shear", t.shear, -L::max_shear, L::max_shear, "");
    check_range(where, "thickness", t.thickness, -L::max_thickness, L::max_thickness, " pixels");
    check_range(where, "noise", t.noise, 0.0f, L::max_noise, "");
}

void transform_apply(const Transform& t, const uint8_t* in, int rows, int cols, uint8_t* out) {
    transform_validate(t);
    Distortion d;
    d.identity = t.dx == 0 && t.dy == 0 && t.scale == 1 && t.rotate == 0 && t.shear == 0;
    d.dx = t.dx;
    d.dy = t.dy;
    d.scale = t.scale;
    d.shear = t.shear;
    d.rotate = t.rotate;
    distort_apply(d, in, rows, cols, out);  // checks the size and aliasing
    if (t.thickness != 0) thicken(t.thickness, out, rows, cols);
    if (t.noise > 0) salt_and_pepper(t.noise, t.seed, out, size_t(rows) * size_t(cols));
}

}  // namespace lenet
