// layers.cpp — the reference loops of layers.h (namespace detail::ref): the definition of every
// layer and the tests' oracle, plain C++ with no SIMD kernels (those are in kernels_*.cpp, chosen by
// kernels.cpp). Also the functions that have no kernels (conv_scratch_size, full_weight_grad, rbf).
//
// Loop order is chosen for the cache and the vectoriser: conv runs over output map, connected input
// map (table zeros skipped), kernel row and column, output row, and innermost over contiguous output x.
// A conv whose kernel covers its whole input (C5: 16@5x5 -> 120@1x1) is a dot product per map.
#include "layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lenet {
namespace detail {

namespace {
template <bool SQ> inline float sq(float v) { return SQ ? v * v : v; }

// Dot product with 8 independent partial sums: the compiler can vectorise it without -ffast-math
// (a single running sum is a serial chain of dependent adds). The summation order is fixed, so
// results are identical on every platform.
inline float dot(const float* a, const float* b, size_t n) {
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int l = 0; l < 8; ++l) part[l] += a[k + l] * b[k + l];
    float s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    for (; k < n; ++k) s += a[k] * b[k];
    return s;
}

inline float sum(const float* a, size_t n) {
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int l = 0; l < 8; ++l) part[l] += a[k + l];
    float s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    for (; k < n; ++k) s += a[k];
    return s;
}

// tanh as a rational function (odd degree-13 / even degree-6 polynomials on [-7.9053, 7.9053], the
// form Eigen uses for its float tanh): max abs error 4.1e-7 (a few ulp), |result| <= 1, only
// + * / so it vectorises and gives the same bits natively and in wasm (libm tanh differs between
// glibc and Emscripten's musl). Below 4e-4, tanh(a) = a to float precision.
inline float tanh_rational(float a) {
    const float c = 7.90531110763549805f;
    const float x = std::min(std::max(a, -c), c), x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    const float r = x * p / q;
    return std::fabs(a) < 0.0004f ? a : r;
}

// Output x range [x0, x1) for which ix = x * S + kx - P lies inside [0, W).
inline void valid_range(int kx, int S, int P, int W, int Wo, int& x0, int& x1) {
    const int lo = P - kx;                    // need x * S >= lo
    x0 = lo <= 0 ? 0 : (lo + S - 1) / S;
    const int hi = W - 1 + P - kx;            // need x * S <= hi
    x1 = hi < 0 ? 0 : std::min(Wo, hi / S + 1);
    if (x0 > x1) x0 = x1;
}
}  // namespace

// ------------------------------------------------------------------------------------------------
// Without kernels: the conv's scratch size, the dense weight gradient alone, rbf
// ------------------------------------------------------------------------------------------------
// Stride 1, no padding: with the output gradient copied into rows of the input's width W (zeros in
// columns Wo..W-1), output position p = y * W + x reads input ky * W + kx + p for every p, so each
// weight gradient is ONE dot product of length L = (Ho - 1) * W + Wo and each input-gradient tap
// one long axpy (the zero columns contribute nothing; the last index read is H * W - 1).
size_t conv_scratch_size(Shape is, Shape os, int K, int S, int P) {
    return (S == 1 && P == 0 && !conv_covers_input(is, K, P)) ? size_t(os.h) * size_t(is.w) : 0;
}

template <bool SQ>
void full_weight_grad(float* dw, const float* dpre, const float* in, int I, int O) {
    for (int o = 0; o < O; ++o) {
        const float g = dpre[o];
        float* dwr = dw + size_t(o) * I;
        for (int j = 0; j < I; ++j) dwr[j] += g * sq<SQ>(in[j]);
    }
}
template void full_weight_grad<false>(float*, const float*, const float*, int, int);
template void full_weight_grad<true>(float*, const float*, const float*, int, int);

// rbf
void rbf_forward(float* out, const float* in, const float* proto, int I, int O) {
    for (int o = 0; o < O; ++o) {
        const float* pr = proto + size_t(o) * I;
        float s = 0.0f;
        for (int j = 0; j < I; ++j) {
            const float d = in[j] - pr[j];
            s += d * d;
        }
        out[o] = s;
    }
}

void rbf_backward(float* din, const float* dpre, const float* in, const float* proto, int I, int O) {
    if (!din) return;
    for (int o = 0; o < O; ++o) {
        const float g2 = 2.0f * dpre[o];
        const float* pr = proto + size_t(o) * I;
        for (int j = 0; j < I; ++j) din[j] += g2 * (in[j] - pr[j]);
    }
}

void rbf_backward_h(float* d2in, const float* dpre, const float* d2pre, const float* in, const float* proto,
                    int I, int O) {
    if (!d2in) return;
    for (int o = 0; o < O; ++o) {
        const float h = d2pre[o];
        const float curv = 2.0f * std::max(dpre[o], 0.0f);  // drop the negative-curvature part (GN)
        const float* pr = proto + size_t(o) * I;
        for (int j = 0; j < I; ++j) {
            const float d = 2.0f * (in[j] - pr[j]);
            d2in[j] += h * d * d + curv;
        }
    }
}

namespace ref {

// ------------------------------------------------------------------------------------------------
// conv
// ------------------------------------------------------------------------------------------------
// Stride 1, no padding, kernel size known at compile time. Output computed in rows of the input's
// width W (see conv_scratch_size): position p = y * W + x reads input ky * W + kx + p, so each
// kernel row is one pass over L = (Ho - 1) * W + Wo positions doing all K taps (K multiply-adds per
// load/store of the output; the tap loop unrolls and the long p loop vectorises). Columns >= Wo of
// each row are junk and dropped. Summation order per output: input maps, kernel rows, taps left to
// right, then the bias; the same on every platform.
template <int K>
void conv_wide(float* opad, const float* ip, const float* wp, int W, size_t L) {
    for (int ky = 0; ky < K; ++ky) {
        float wk[K];
        for (int kx = 0; kx < K; ++kx) wk[kx] = wp[ky * K + kx];
        const float* irow = ip + size_t(ky) * W;
        for (size_t p = 0; p < L; ++p) {
            float s = opad[p];
            for (int kx = 0; kx < K; ++kx) s += wk[kx] * irow[p + kx];
            opad[p] = s;
        }
    }
}

static void conv_wide_any(float* opad, const float* ip, const float* wp, int K, int W, size_t L) {
    switch (K) {
        case 2: conv_wide<2>(opad, ip, wp, W, L); return;
        case 3: conv_wide<3>(opad, ip, wp, W, L); return;
        case 5: conv_wide<5>(opad, ip, wp, W, L); return;
        default:
            for (int ky = 0; ky < K; ++ky)
                for (int kx = 0; kx < K; ++kx) {
                    const float wv = wp[ky * K + kx];
                    const float* irow = ip + size_t(ky) * W + size_t(kx);
                    for (size_t p = 0; p < L; ++p) opad[p] += wv * irow[p];
                }
    }
}

constexpr int kAccWidth = 64;  // widest output row whose dW partial sums are kept on the stack

void conv_forward(float* out, const float* in, const float* w, const float* b, const uint8_t* table,
                  Shape is, Shape os, int K, int S, int P, float* scratch) {
    const int I = is.c, H = is.h, W = is.w, O = os.c, Ho = os.h, Wo = os.w;
    const size_t in_map = size_t(H) * W, out_map = size_t(Ho) * Wo, KK = size_t(K) * K;
    const bool whole = conv_covers_input(is, K, P);  // one output position: a dot product per map
    const bool wide = scratch && conv_scratch_size(is, os, K, S, P) > 0;
    const size_t L = size_t(Ho - 1) * W + size_t(Wo);
    for (int o = 0; o < O; ++o) {
        float* op = out + o * out_map;                // (Ho, Wo)
        if (wide) {
            float* opad = scratch;                    // (Ho, W)
            std::fill(opad, opad + L, 0.0f);
            for (int i = 0; i < I; ++i) {
                if (table && !table[size_t(i) * O + o]) continue;
                conv_wide_any(opad, in + i * in_map, w + (size_t(o) * I + i) * KK, K, W, L);
            }
            for (int y = 0; y < Ho; ++y)
                for (int x = 0; x < Wo; ++x) op[y * Wo + x] = opad[size_t(y) * W + size_t(x)] + b[o];
            continue;
        }
        if (whole) {
            float acc = b[o];
            for (int i = 0; i < I; ++i) {
                if (table && !table[size_t(i) * O + o]) continue;
                const float* ip = in + i * in_map;
                acc += dot(w + (size_t(o) * I + i) * KK, ip, KK);
            }
            op[0] = acc;
            continue;
        }
        std::fill(op, op + out_map, b[o]);
        for (int i = 0; i < I; ++i) {
            if (table && !table[size_t(i) * O + o]) continue;
            const float* ip = in + i * in_map;        // (H, W)
            const float* wp = w + (size_t(o) * I + i) * KK;  // (K, K)
            for (int ky = 0; ky < K; ++ky) {
                for (int kx = 0; kx < K; ++kx) {
                    const float wv = wp[ky * K + kx];
                    if (S == 1 && P == 0) {
                        for (int y = 0; y < Ho; ++y) {
                            float* orow = op + y * Wo;
                            const float* irow = ip + (y + ky) * W + kx;
                            for (int x = 0; x < Wo; ++x) orow[x] += wv * irow[x];
                        }
                    } else {
                        int x0, x1;
                        valid_range(kx, S, P, W, Wo, x0, x1);
                        for (int y = 0; y < Ho; ++y) {
                            const int iy = y * S + ky - P;
                            if (iy < 0 || iy >= H) continue;
                            float* orow = op + y * Wo;
                            const float* irow = ip + iy * W;
                            for (int x = x0; x < x1; ++x) orow[x] += wv * irow[x * S + kx - P];
                        }
                    }
                }
            }
        }
    }
}

// Stride 1, no padding, kernel size known at compile time (the hessian pass): per kernel row, the
// K weight gradients are accumulated per output column over all rows (vectorised over x), then
// reduced; the input gradient takes one pass per tap over each row.
template <int K, bool SQ>
void conv_back_rows(float* dip, float* dwp, const float* gp, const float* ip, const float* wp, int W, int Ho,
                    int Wo) {
    for (int ky = 0; ky < K; ++ky) {
        float acc[K][kAccWidth];
        for (int kx = 0; kx < K; ++kx) std::fill(acc[kx], acc[kx] + Wo, 0.0f);
        for (int y = 0; y < Ho; ++y) {
            const float* grow = gp + y * Wo;
            const float* irow = ip + (y + ky) * W;
            for (int kx = 0; kx < K; ++kx)
                for (int x = 0; x < Wo; ++x) acc[kx][x] += grow[x] * sq<SQ>(irow[x + kx]);
        }
        for (int kx = 0; kx < K; ++kx) dwp[ky * K + kx] += sum(acc[kx], size_t(Wo));
        if (!dip) continue;
        float wk[K];
        for (int kx = 0; kx < K; ++kx) wk[kx] = sq<SQ>(wp[ky * K + kx]);
        for (int y = 0; y < Ho; ++y) {
            const float* grow = gp + y * Wo;
            float* drow = dip + (y + ky) * W;
            for (int kx = 0; kx < K; ++kx)
                for (int x = 0; x < Wo; ++x) drow[x + kx] += wk[kx] * grow[x];
        }
    }
}

template <bool SQ>
static bool conv_back_rows_fixed(float* dip, float* dwp, const float* gp, const float* ip, const float* wp, int K,
                                 int W, int Ho, int Wo) {
    switch (K) {
        case 2: conv_back_rows<2, SQ>(dip, dwp, gp, ip, wp, W, Ho, Wo); return true;
        case 3: conv_back_rows<3, SQ>(dip, dwp, gp, ip, wp, W, Ho, Wo); return true;
        case 5: conv_back_rows<5, SQ>(dip, dwp, gp, ip, wp, W, Ho, Wo); return true;
        default: return false;
    }
}


static void conv_backward_wide(float* dip, float* dwp, const float* gpad, const float* ip, const float* wp, int K,
                               int W, size_t L) {
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
            const size_t off = size_t(ky) * W + size_t(kx);
            dwp[ky * K + kx] += dot(gpad, ip + off, L);
            if (dip) {
                const float wv = wp[ky * K + kx];
                float* d = dip + off;
                for (size_t q = 0; q < L; ++q) d[q] += wv * gpad[q];
            }
        }
}

template <bool SQ>
void conv_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   const uint8_t* table, Shape is, Shape os, int K, int S, int P, float* scratch) {
    const int I = is.c, H = is.h, W = is.w, O = os.c, Ho = os.h, Wo = os.w;
    const size_t in_map = size_t(H) * W, out_map = size_t(Ho) * Wo, KK = size_t(K) * K;
    const bool wide = !SQ && scratch && conv_scratch_size(is, os, K, S, P) > 0;
    const size_t L = size_t(Ho - 1) * W + size_t(Wo);
    for (int o = 0; o < O; ++o) {
        const float* gp = dpre + o * out_map;         // (Ho, Wo)
        db[o] += sum(gp, out_map);
        if (wide) {
            float* gpad = scratch;                    // (Ho, W), columns >= Wo zero
            for (int y = 0; y < Ho; ++y) {
                std::copy(gp + y * Wo, gp + (y + 1) * Wo, gpad + y * W);
                std::fill(gpad + y * W + Wo, gpad + (y + 1) * W, 0.0f);
            }
            for (int i = 0; i < I; ++i) {
                if (table && !table[size_t(i) * O + o]) continue;
                conv_backward_wide(din ? din + i * in_map : nullptr, dw + (size_t(o) * I + i) * KK, gpad,
                                   in + i * in_map, w + (size_t(o) * I + i) * KK, K, W, L);
            }
            continue;
        }
        for (int i = 0; i < I; ++i) {
            if (table && !table[size_t(i) * O + o]) continue;
            const float* ip = in + i * in_map;
            float* dip = din ? din + i * in_map : nullptr;
            const float* wp = w + (size_t(o) * I + i) * KK;
            float* dwp = dw + (size_t(o) * I + i) * KK;
            if (conv_covers_input(is, K, P)) {  // one output position (C5): one gradient value per map
                const float g = gp[0];
                for (size_t k = 0; k < KK; ++k) dwp[k] += g * sq<SQ>(ip[k]);
                if (dip)
                    for (size_t k = 0; k < KK; ++k) dip[k] += sq<SQ>(wp[k]) * g;
                continue;
            }
            if (S == 1 && P == 0 && Wo <= kAccWidth && conv_back_rows_fixed<SQ>(dip, dwp, gp, ip, wp, K, W, Ho, Wo))
                continue;
            for (int ky = 0; ky < K; ++ky) {
                for (int kx = 0; kx < K; ++kx) {
                    const float wv = sq<SQ>(wp[ky * K + kx]);
                    int x0, x1;
                    valid_range(kx, S, P, W, Wo, x0, x1);
                    const int off = kx - P;  // ix = x * S + off
                    // dw = sum over y, x of g * in: accumulate per output x (vectorisable), then
                    // reduce once; rows wider than the local buffer use a running sum
                    float accx[kAccWidth];
                    const bool vec = S == 1 && x1 - x0 <= kAccWidth;
                    if (vec) std::fill(accx, accx + (x1 - x0), 0.0f);
                    float acc = 0.0f;
                    for (int y = 0; y < Ho; ++y) {
                        const int iy = y * S + ky - P;
                        if (iy < 0 || iy >= H) continue;
                        const float* grow = gp + y * Wo;
                        const float* irow = ip + iy * W;
                        if (vec) {
                            for (int x = x0; x < x1; ++x) accx[x - x0] += grow[x] * sq<SQ>(irow[x + off]);
                            if (dip) {
                                float* drow = dip + iy * W;
                                for (int x = x0; x < x1; ++x) drow[x + off] += wv * grow[x];
                            }
                        } else if (S == 1) {
                            for (int x = x0; x < x1; ++x) acc += grow[x] * sq<SQ>(irow[x + off]);
                            if (dip) {
                                float* drow = dip + iy * W;
                                for (int x = x0; x < x1; ++x) drow[x + off] += wv * grow[x];
                            }
                        } else {
                            for (int x = x0; x < x1; ++x) acc += grow[x] * sq<SQ>(irow[x * S + off]);
                            if (dip) {
                                float* drow = dip + iy * W;
                                for (int x = x0; x < x1; ++x) drow[x * S + off] += wv * grow[x];
                            }
                        }
                    }
                    if (vec) acc = sum(accx, size_t(x1 - x0));
                    dwp[ky * K + kx] += acc;
                }
            }
        }
    }
}
template void conv_backward<false>(float*, float*, float*, const float*, const float*, const float*,
                                   const uint8_t*, Shape, Shape, int, int, int, float*);
template void conv_backward<true>(float*, float*, float*, const float*, const float*, const float*,
                                  const uint8_t*, Shape, Shape, int, int, int, float*);

// ------------------------------------------------------------------------------------------------
// pool
// ------------------------------------------------------------------------------------------------
void pool_forward(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode,
                  Shape is, Shape os, int K, int S) {
    const int C = is.c, W = is.w, Ho = os.h, Wo = os.w;
    const float inv = 1.0f / float(K * K);
    for (int c = 0; c < C; ++c) {
        const float* ip = in + size_t(c) * is.h * W;
        float* op = out + size_t(c) * Ho * Wo;
        for (int y = 0; y < Ho; ++y) {
            for (int x = 0; x < Wo; ++x) {
                const float* win = ip + (y * S) * W + x * S;
                float v;
                if (mode == PoolMode::Max) {
                    v = win[0];
                    for (int ky = 0; ky < K; ++ky)
                        for (int kx = 0; kx < K; ++kx) v = std::max(v, win[ky * W + kx]);
                } else {
                    float s = 0.0f;
                    for (int ky = 0; ky < K; ++ky)
                        for (int kx = 0; kx < K; ++kx) s += win[ky * W + kx];
                    v = mode == PoolMode::Avg ? s * inv : coeff[c] * s + bias[c];
                }
                op[y * Wo + x] = v;
            }
        }
    }
}

template <bool SQ>
void pool_backward(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in,
                   const float* coeff, PoolMode mode, Shape is, Shape os, int K, int S) {
    const int C = is.c, W = is.w, Ho = os.h, Wo = os.w;
    const float inv = sq<SQ>(1.0f / float(K * K));
    for (int c = 0; c < C; ++c) {
        const float* ip = in + size_t(c) * is.h * W;
        float* dip = din ? din + size_t(c) * is.h * W : nullptr;
        const float* gp = dpre + size_t(c) * Ho * Wo;
        const float cf = mode == PoolMode::Subsample ? sq<SQ>(coeff[c]) : 0.0f;
        float dc = 0.0f, dbs = 0.0f;
        for (int y = 0; y < Ho; ++y) {
            for (int x = 0; x < Wo; ++x) {
                const float g = gp[y * Wo + x];
                const size_t base = size_t(y * S) * W + size_t(x * S);
                if (mode == PoolMode::Max) {
                    // the gradient goes to the first maximum of the window (as in forward's scan)
                    size_t best = base;
                    for (int ky = 0; ky < K; ++ky)
                        for (int kx = 0; kx < K; ++kx)
                            if (ip[base + ky * W + kx] > ip[best]) best = base + ky * W + kx;
                    if (dip) dip[best] += g;
                } else if (mode == PoolMode::Avg) {
                    if (dip)
                        for (int ky = 0; ky < K; ++ky)
                            for (int kx = 0; kx < K; ++kx) dip[base + ky * W + kx] += g * inv;
                } else {
                    float s = 0.0f;
                    for (int ky = 0; ky < K; ++ky)
                        for (int kx = 0; kx < K; ++kx) s += ip[base + ky * W + kx];
                    dc += g * sq<SQ>(s);
                    dbs += g;
                    if (dip)
                        for (int ky = 0; ky < K; ++ky)
                            for (int kx = 0; kx < K; ++kx) dip[base + ky * W + kx] += g * cf;
                }
            }
        }
        if (mode == PoolMode::Subsample) {
            dcoeff[c] += dc;
            dbias[c] += dbs;
        }
    }
}
template void pool_backward<false>(float*, float*, float*, const float*, const float*, const float*,
                                   PoolMode, Shape, Shape, int, int);
template void pool_backward<true>(float*, float*, float*, const float*, const float*, const float*,
                                  PoolMode, Shape, Shape, int, int);

// ------------------------------------------------------------------------------------------------
// full
// ------------------------------------------------------------------------------------------------
void full_forward(float* out, const float* in, const float* w, const float* b, int I, int O) {
    for (int o = 0; o < O; ++o) {
        out[o] = b[o] + dot(w + size_t(o) * I, in, size_t(I));  // row (I)
    }
}

template <bool SQ>
void full_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   int I, int O) {
    for (int o = 0; o < O; ++o) {
        const float g = dpre[o];
        db[o] += g;
        const float* wr = w + size_t(o) * I;
        if (din)
            for (int j = 0; j < I; ++j) din[j] += sq<SQ>(wr[j]) * g;
    }
    full_weight_grad<SQ>(dw, dpre, in, I, O);  // one sum per weight: the same bits in any order
}

template void full_backward<false>(float*, float*, float*, const float*, const float*, const float*, int, int);
template void full_backward<true>(float*, float*, float*, const float*, const float*, const float*, int, int);


// ------------------------------------------------------------------------------------------------
// activations
// ------------------------------------------------------------------------------------------------
void activation_forward(float* out, const float* pre, size_t n, Activation a) {
    switch (a) {
        case Activation::None:
            if (out != pre) std::memcpy(out, pre, n * sizeof(float));
            break;
        case Activation::ScaledTanh:
            for (size_t k = 0; k < n; ++k) out[k] = kScaledTanhA * tanh_rational(kScaledTanhS * pre[k]);
            break;
        case Activation::Tanh:
            for (size_t k = 0; k < n; ++k) out[k] = tanh_rational(pre[k]);
            break;
        case Activation::Sigmoid:  // 1 / (1 + e^-a) = (1 + tanh(a/2)) / 2
            for (size_t k = 0; k < n; ++k) out[k] = 0.5f + 0.5f * tanh_rational(0.5f * pre[k]);
            break;
        case Activation::Relu:
            for (size_t k = 0; k < n; ++k) out[k] = pre[k] > 0.0f ? pre[k] : 0.0f;
            break;
    }
}

template <bool SQ>
void activation_backward(float* dpre, const float* dout, const float* pre, const float* out, size_t n,
                         Activation a) {
    switch (a) {
        case Activation::None:
            std::memcpy(dpre, dout, n * sizeof(float));
            break;
        case Activation::ScaledTanh: {
            // f'(a) = A S (1 - tanh^2) = (S / A) (A^2 - f^2)
            const float k = kScaledTanhS / kScaledTanhA, A2 = kScaledTanhA * kScaledTanhA;
            for (size_t i = 0; i < n; ++i) dpre[i] = dout[i] * sq<SQ>(k * (A2 - out[i] * out[i]));
            break;
        }
        case Activation::Tanh:
            for (size_t i = 0; i < n; ++i) dpre[i] = dout[i] * sq<SQ>(1.0f - out[i] * out[i]);
            break;
        case Activation::Sigmoid:
            for (size_t i = 0; i < n; ++i) dpre[i] = dout[i] * sq<SQ>(out[i] * (1.0f - out[i]));
            break;
        case Activation::Relu:
            for (size_t i = 0; i < n; ++i) dpre[i] = pre[i] > 0.0f ? dout[i] : 0.0f;
            break;
    }
}
template void activation_backward<false>(float*, const float*, const float*, const float*, size_t, Activation);
template void activation_backward<true>(float*, const float*, const float*, const float*, size_t, Activation);

}  // namespace ref
}  // namespace detail
}  // namespace lenet
