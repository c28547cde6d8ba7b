// kernels.cpp — run-time selection of the SIMD conv kernels and the ISA-independent drivers around
// them (padding copies, weight packing, extraction). See kernels.h; the kernels themselves are in
// kernels_impl.inc, included here once per instruction set.
//
// Conv as "wide rows" (stride 1, no padding): with positions p = y * W + x over the input's width,
// output (o, y, x) = b_o + sum_i sum_{ky,kx} w[o,i,ky,kx] in[i, p + ky W + kx]. All taps read the
// same run of positions shifted by a constant, so one vector load serves a whole block of output
// maps (register-blocked: OB maps x NV vectors of accumulators). The input gradient is the same
// correlation run the other way, over the output gradient placed at offset F = (K-1) W + (K-1) in a
// zero-filled buffer, with the taps mirrored; the weight gradient is a dot product per tap, K taps
// of one kernel row sharing each gradient load.
//
// Convs with small outputs and one to four vectors of output maps (C3) are vectorised over the
// output maps instead (oc_shape): forward everywhere (the same sums in the same order as the wide
// rows); backward in wasm only (grad_oc, din_oc: other sums, faster there; natively the wide rows
// are as fast and keep the rounding the shipped networks were trained with).
#include "kernels.h"
#include "layers.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace lenet {
namespace kernels {

namespace {
inline size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }
}  // namespace

// ------------------------------------------------------------------------------------------------
// Instantiations
// ------------------------------------------------------------------------------------------------
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LENET_KERNELS_X86 1
#include <immintrin.h>
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#pragma GCC optimize("fp-contract=fast")
#define KNS avx2
#define CONV_ROWS 1
#define BCAST_MEM _mm256_set1_ps
#define VMIN(a, b) ((vf)_mm256_min_ps((__m256)(a), (__m256)(b)))
#define VMAX(a, b) ((vf)_mm256_max_ps((__m256)(a), (__m256)(b)))
#define VSEL_SMALL(a, r)                                                                                      \
    ((vf)_mm256_blendv_ps((__m256)(r), (__m256)(a),                                                          \
                          _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), (__m256)(a)),               \
                                        _mm256_set1_ps(0.0004f), _CMP_LT_OQ)))
#define VBYTES 32
#define NV 2
#define OB_A 4
#define OB_B 5
#define OB_C 6
#define OB_G 2
#define GRAD_OC_NB 2
#define DIN_OC_TB 2
#define DIN_OC_PV 2
#include "kernels_impl.inc"
#undef KNS
#undef CONV_ROWS
#undef BCAST_MEM
#undef VMIN
#undef VMAX
#undef VSEL_SMALL
#undef VBYTES
#undef NV
#undef OB_A
#undef OB_B
#undef OB_C
#undef OB_G
#undef OC_REGS
#undef OC_ROWS
#undef GRAD_OC_NB
#undef DIN_OC_TB
#undef DIN_OC_PV
#undef DIN_OC_RB
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12: _mm512_undefined_ps inside min/max/abs
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#pragma GCC optimize("fp-contract=fast")
#define KNS avx512
#define CONV_ROWS 1
#define BCAST_MEM _mm512_set1_ps
#define VMIN(a, b) ((vf)_mm512_min_ps((__m512)(a), (__m512)(b)))
#define VMAX(a, b) ((vf)_mm512_max_ps((__m512)(a), (__m512)(b)))
#define VSEL_SMALL(a, r)                                                                                      \
    ((vf)_mm512_mask_blend_ps(                                                                                \
        _mm512_cmp_ps_mask(_mm512_abs_ps((__m512)(a)), _mm512_set1_ps(0.0004f), _CMP_LT_OQ), (__m512)(r),     \
        (__m512)(a)))
#define VBYTES 64
#define NV 1
#define OB_A 6
#define OB_B 8
#define OB_C 12
#define OB_G 4
#define OC_REGS 32
#define OC_ROWS 1  // conv_oc_rows (not AVX2: 1.04x-1.3x the time of conv_oc there, which is near its floor)
#define GRAD_OC_NB 1
#define DIN_OC_TB 4
#define DIN_OC_PV 1
#include "kernels_impl.inc"
#undef KNS
#undef CONV_ROWS
#undef BCAST_MEM
#undef VMIN
#undef VMAX
#undef VSEL_SMALL
#undef VBYTES
#undef NV
#undef OB_A
#undef OB_B
#undef OB_C
#undef OB_G
#undef OC_REGS
#undef OC_ROWS
#undef GRAD_OC_NB
#undef DIN_OC_TB
#undef DIN_OC_PV
#undef DIN_OC_RB
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

#if defined(__wasm_simd128__)
#define LENET_KERNELS_WASM 1
#include <wasm_simd128.h>
#define KNS wasm
#define BCAST wasm_f32x4_splat
#define CORR_OFFSETS_ONLY 1
// pmin/pmax are one x86 instruction each in V8 (min/max handle -0 and NaN in several); NaN still
// propagates through the clamp below (pmin(NaN, c) = NaN, pmax(NaN, -c) = NaN).
#define VMIN(a, b) ((vf)wasm_f32x4_pmin((v128_t)(a), (v128_t)(b)))
#define VMAX(a, b) ((vf)wasm_f32x4_pmax((v128_t)(a), (v128_t)(b)))
#define VSEL_SMALL(a, r)                                                                                      \
    ((vf)wasm_v128_bitselect((v128_t)(a), (v128_t)(r),                                                       \
                             wasm_f32x4_lt(wasm_f32x4_abs((v128_t)(a)), wasm_f32x4_splat(0.0004f))))
#define VBYTES 16
#define NV 2
#define OB_A 2   // V8 keeps ~15 SIMD registers: at most 8 accumulators
#define OB_B 3
#define OB_C 4
#define OB_G 2  // C1's weight gradient: 0.79x the time of 1 (in-process A/B; 10 sums + 5 inputs + 2 gradients)
#define OC_REGS 15
#define TANH_CHAINS 4  // the tanh loop's independent chains (no fused multiply-add: longer chains)
#define GRAD_OC_NB 4  // din_oc and grad_oc: measured best of the register blockings that fit
#define DIN_OC_TB 1  // 1 tap x 2 rows x 3 vectors: 6 sums + 6 gradient vectors + 1 broadcast;
#define DIN_OC_PV 3  // 0.90x the time of the wide rows' 2 taps x 4 vectors (in-process A/B)
#define DIN_OC_RB 2
#include "kernels_impl.inc"
#undef KNS
#undef BCAST
#undef CORR_OFFSETS_ONLY
#undef BCAST_MEM
#undef VMIN
#undef VMAX
#undef VSEL_SMALL
#undef VBYTES
#undef NV
#undef OB_A
#undef OB_B
#undef OB_C
#undef OB_G
#undef OC_REGS
#undef TANH_CHAINS
#undef OC_ROWS
#undef GRAD_OC_NB
#undef DIN_OC_TB
#undef DIN_OC_PV
#undef DIN_OC_RB
#endif

namespace {

// One instruction set's entry points.
struct Ops {
    Isa    isa;
    size_t vw, block;  // floats per vector; positions per corr block (NV * vw)
    void (*fwd)(float* out, size_t os, const float* in, size_t is, const int* off, size_t Lb, float* wpk,
                const float* w, const uint8_t* table, int O, int I, int K, int W);
    // g[q] = 0 outside [nz_lo, nz_hi) (the output gradient inside its zeros)
    void (*bwd_in)(float* out, size_t os, const float* g, size_t gs, const int* off, size_t Qb, float* wpk,
                   const float* w, const uint8_t* table, int O, int I, int K, int W, ptrdiff_t nz_lo,
                   ptrdiff_t nz_hi);
    bool (*grad)(float* dwt, int K, int O, int I, const float* g, size_t gs, const float* in, size_t is, int W,
                 size_t Lb);
    void (*gemv)(float* out, const float* in, const float* w, const float* b, int I, int O);
    void (*ger)(float* dw, const float* g, const float* in, int I, int O);
    void (*gemv_t)(float* din, const float* w, const float* g, int I, int O);
    void (*gemv_multi)(float* out, size_t os, const float* in, size_t is, int n, const float* w, const float* b, int I,
                       int O);
    void (*tanh_n)(float* out, const float* in, size_t n, float A, float S);
    void (*sgd_apply)(float* w, const float* g, const float* step, float s, size_t n);
    void (*ger_update)(float* w, float* b, const float* g, const float* in, const float* step, const float* stepb,
                       float s, int I, int O);
    void (*extract_bias)(float* out, const float* src, size_t Lb, const float* b, int O, int Ho, int Wo, int W);
    void (*pool2x2)(float* out, const float* in, const float* m, const float* a, int C, int H, int W, int Ho, int Wo);
    void (*place_grad)(float* gfront, size_t gs, size_t F, const float* dpre, float* db, int O, int Ho, int Wo, int W);
    void (*add_to)(float* a, const float* b, size_t n);
    void (*copy_pad)(float* d, const float* src, size_t n, size_t total);
    bool (*conv_oc)(float* out, const float* in, size_t is, int I, const int* off, int T, const float* wv,
                    const float* b, const int* pos, int P, int O, int K, int W, int Ho, int Wo);
    // The backward of the convs conv_oc covers, vectorised over output maps too (null: the wide-row
    // kernels above). din_block: din_oc's gradient rows are a multiple of it wide.
    void (*grad_oc)(float* dwt, const float* gT, int O, int P, const float* in, size_t is, int I, const int* off,
                    int T, const int* pos);
    void (*din_oc)(float* din, size_t ds, const float* wT, const float* g, size_t gs, int O, int I, const int* off,
                   int T, int Ho, int Wr, int W);
    size_t din_block;
    void (*pool2x2_back)(float* din, const float* g, float m, int Ho, int Wo, int W);
    void (*tanh_back)(float* dpre, const float* dout, const float* out, size_t n, bool kk, float k, float A2);
    void (*dense_bwd_update)(float* din, float* w, float* b, const float* g, const float* in, const float* step,
                             const float* stepb, float s, int I, int O);
    void (*transpose)(float* dst, size_t ds, const float* src, size_t ss, int R, int C, const uint8_t* keep);
    void (*ger_batch)(float* dw, const float* g, size_t gst, const float* x, size_t xst, int n, int I, int O);
    // The conv straight into the output rows (null, or false: the wide rows).
    bool (*rows)(float* out, const float* in, float* wpk, const float* w, const float* b, const uint8_t* table,
                 int O, int I, int H, int W, int Ho, int Wo, int K);
};

#define LENET_OPS(ns, ISA, NVV)                                                                            \
    Ops{ISA, sizeof(ns::vf) / 4, size_t(NVV) * (sizeof(ns::vf) / 4),                                       \
        [](float* out, size_t os, const float* in, size_t is, const int* off, size_t Lb, float* wpk,       \
           const float* w, const uint8_t* table, int O, int I, int K, int W) {                             \
            const int KK = K * K;                                                                          \
            ns::corr(out, os, O, in, is, I, off, KK, Lb, wpk, [&](int o, int i) -> const float* {          \
                return (table && !table[size_t(i) * O + o]) ? nullptr : w + (size_t(o) * I + i) * KK;     \
            }, K, W, false, 0, PTRDIFF_MAX);                                                               \
        },                                                                                                 \
        [](float* out, size_t os, const float* g, size_t gs, const int* off, size_t Qb, float* wpk,        \
           const float* w, const uint8_t* table, int O, int I, int K, int W, ptrdiff_t nz_lo,              \
           ptrdiff_t nz_hi) {                                                                              \
            const int KK = K * K;                                                                          \
            ns::corr(out, os, I, g, gs, O, off, KK, Qb, wpk, [&](int i, int o) -> const float* {           \
                return (table && !table[size_t(i) * O + o]) ? nullptr : w + (size_t(o) * I + i) * KK;     \
            }, K, W, true, nz_lo, nz_hi);                                                                  \
        },                                                                                                 \
        ns::grad_any, ns::gemv, ns::ger, ns::gemv_t, ns::gemv_multi, ns::tanh_n, ns::sgd_apply, ns::ger_update, ns::extract_bias, ns::pool2x2, ns::place_grad, ns::add_to, ns::copy_pad, ns::conv_oc_any, \
        OC_BWD ? ns::grad_oc : nullptr, OC_BWD ? ns::din_oc : nullptr, ns::kDinBlock, ns::pool2x2_back, ns::tanh_back, ns::dense_bwd_update, ns::transpose, ns::ger_batch, ROWS_FN(ns)}

#define ROWS_FN_X86(ns)                                                                                    \
    [](float* out, const float* in, float* wpk, const float* w, const float* b, const uint8_t* table, int O,   \
       int I, int H, int W, int Ho, int Wo, int K) -> bool {                                               \
        const int KK = K * K;                                                                              \
        return ns::conv_rows(out, O, in, size_t(H) * W, I, W, Ho, Wo, K, wpk, [&](int o, int i) -> const float* { \
            return (table && !table[size_t(i) * O + o]) ? nullptr : w + (size_t(o) * I + i) * KK;         \
        }, b);                                                                                             \
    }

// Natively the wide-row backward stays: the shipped networks were trained with its rounding and
// `lenet5 train` reproduces them bit for bit (docs/trained-models.md). wasm takes the faster one.
#ifdef LENET_KERNELS_X86
#define OC_BWD false
#define ROWS_FN ROWS_FN_X86
const Ops kAvx2 = LENET_OPS(avx2, Isa::Avx2, 2);
const Ops kAvx512 = LENET_OPS(avx512, Isa::Avx512, 1);
#undef ROWS_FN
#undef OC_BWD
#endif
#ifdef LENET_KERNELS_WASM
#define OC_BWD true
#define ROWS_FN(ns) nullptr
const Ops kWasm = LENET_OPS(wasm, Isa::WasmSimd, 2);
#undef ROWS_FN
#undef OC_BWD
#endif

const Ops* ops_for(Isa i) {
    switch (i) {
#ifdef LENET_KERNELS_X86
        case Isa::Avx2: return &kAvx2;
        case Isa::Avx512: return &kAvx512;
#endif
#ifdef LENET_KERNELS_WASM
        case Isa::WasmSimd: return &kWasm;
#endif
        default: return nullptr;
    }
}

Isa detect() {
    Isa best = Isa::Portable;
#ifdef LENET_KERNELS_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Isa::Avx2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) best = Isa::Avx512;
#endif
#ifdef LENET_KERNELS_WASM
    best = Isa::WasmSimd;
#endif
    return best;
}

Isa initial() {
    const Isa best = detect();
    const char* env = std::getenv("LENET_KERNELS");
    if (!env || !*env || std::strcmp(env, "auto") == 0) return best;
    for (Isa i : {Isa::Portable, Isa::Avx2, Isa::Avx512, Isa::WasmSimd})
        if (std::strcmp(env, isa_name(i)) == 0 && isa_supported(i)) return i;
    return best;
}

const Ops*& current() {
    static const Ops* cur = ops_for(initial());
    return cur;
}

// Per-thread scratch, grown to the largest request and kept.
float* scratch(size_t n) {
    thread_local std::vector<float> buf;
    if (buf.size() < n) buf.resize(n);
    return buf.data();
}

// A kernel covering its whole input (C5: 16@5x5 -> 120@1x1) is a dense layer over I*K*K inputs.
bool whole(const Ops* ops, Shape is, Shape os, int K, int S, int P) {
    return ops && S == 1 && P == 0 && K == is.h && K == is.w && os.h == 1 && os.w == 1;
}

// Convs with few output positions and VW..4 VW output maps, of which over 20% of a wide row would
// be discarded (C3): vectorised over the output maps instead (conv_oc, grad_oc, din_oc).
bool oc_shape(const Ops* ops, int O, int W, int Wo) {
    return O % int(ops->vw) == 0 && O / int(ops->vw) <= 4 && 5 * (W - Wo) > W;
}

// off[ky * K + kx] = ky * W + kx: the taps' offsets in a W-wide map.
void tap_offsets(int* off, int K, int W) {
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) off[ky * K + kx] = ky * W + kx;
}

// pos[y * Wo + x] = y * W + x: where each output position's window starts in the input.
void out_positions(int* pos, int Ho, int Wo, int W) {
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x) pos[y * Wo + x] = y * W + x;
}

// dw += dwt (both (O, I, KK)), except the connections the table leaves out: their weights get no
// gradient.
void add_weight_grads(const Ops* ops, float* dw, const float* dwt, const uint8_t* table, int O, int I, int KK) {
    if (!table) {
        ops->add_to(dw, dwt, size_t(O) * I * KK);
        return;
    }
    for (int o = 0; o < O; ++o)
        for (int i = 0; i < I; ++i) {
            if (!table[size_t(i) * O + o]) continue;
            const size_t base = (size_t(o) * I + i) * KK;
            ops->add_to(dw + base, dwt + base, size_t(KK));
        }
}

// wv[(i * KK + t) * O + o] = w[(o * I + i) * KK + t], zero for connections the table leaves out.
void pack_oc(const Ops* ops, float* wv, const float* w, const uint8_t* table, int I, int O, int KK) {
    for (int i = 0; i < I; ++i)
        ops->transpose(wv + size_t(i) * KK * O, size_t(O), w + size_t(i) * KK, size_t(I) * KK, O, KK,
                       table ? table + size_t(i) * O : nullptr);
}

// The backward of an oc_shape conv: the output gradient placed in rows of Wo rounded up to
// din_block (for din_oc, and db) and transposed position-major (for grad_oc); weights transposed
// to (I, T, O).
void conv_backward_oc(const Ops* ops, float* din, float* dw, float* db, const float* dpre, const float* in,
                      const float* w, const uint8_t* table, int I, int H, int W, int O, int Ho, int Wo, int K) {
    const int KK = K * K, Pn = Ho * Wo;
    const int Wr = int(round_up(size_t(Wo), ops->din_block));  // gradient rows for din_oc
    const size_t HW = size_t(H) * W;
    const size_t gs = size_t(Ho) * Wr, ds = round_up(HW + size_t(Wr), ops->vw);  // din_oc's junk lanes stay in ds
    const size_t n_g = size_t(O) * gs, n_gT = size_t(Pn) * O, n_dw = size_t(O) * I * KK;
    const size_t n_din = din ? size_t(I) * ds : 0, n_wT = din ? size_t(I) * KK * O : 0;
    float* grows = scratch(n_g + n_gT + n_dw + n_din + n_wT + KK + Pn);
    float* gT = grows + n_g;
    float* dwt = gT + n_gT;
    float* dinw = dwt + n_dw;
    float* wT = dinw + n_din;
    int* off = reinterpret_cast<int*>(wT + n_wT);
    int* pos = off + KK;
    tap_offsets(off, K, W);
    out_positions(pos, Ho, Wo, W);
    ops->place_grad(grows, gs, 0, dpre, db, O, Ho, Wo, Wr);
    ops->transpose(gT, size_t(O), dpre, size_t(Pn), O, Pn, nullptr);
    ops->grad_oc(dwt, gT, O, Pn, in, HW, I, off, KK, pos);
    add_weight_grads(ops, dw, dwt, table, O, I, KK);
    if (!din) return;
    pack_oc(ops, wT, w, table, I, O, KK);
    ops->copy_pad(dinw, dinw, 0, n_din);  // zero fill
    ops->din_oc(dinw, ds, wT, grows, gs, O, I, off, KK, Ho, Wr, W);
    for (int i = 0; i < I; ++i) ops->add_to(din + size_t(i) * HW, dinw + size_t(i) * ds, HW);
}

bool covered(const Ops* ops, Shape is, Shape os, int K, int S, int P) {
    if (!ops || S != 1 || P != 0 || K < 2 || K > 7) return false;
    if (K >= is.h || K >= is.w) return false;  // a kernel covering its input (C5) stays a dot product
    return os.h == is.h - K + 1 && os.w == is.w - K + 1 && is.c > 0 && os.c > 0;
}

}  // namespace

const char* isa_name(Isa i) {
    switch (i) {
        case Isa::Avx2: return "avx2";
        case Isa::Avx512: return "avx512";
        case Isa::WasmSimd: return "wasm-simd128";
        default: return "portable";
    }
}

bool isa_supported(Isa i) {
    if (i == Isa::Portable) return true;
    if (!ops_for(i)) return false;
    const Isa best = detect();
    if (i == Isa::Avx2) return best == Isa::Avx2 || best == Isa::Avx512;
    return i == best;
}

Isa isa() { return current() ? current()->isa : Isa::Portable; }

void set_isa(Isa i) {
    if (!isa_supported(i))
        throw Error(ErrorKind::Usage, "kernels", std::string("instruction set ") + isa_name(i) +
                                                     " is not available in this build or on this CPU");
    current() = ops_for(i);
}

// ------------------------------------------------------------------------------------------------
// Drivers
// ------------------------------------------------------------------------------------------------
bool conv_forward(float* out, const float* in, const float* w, const float* b, const uint8_t* table,
                  Shape is, Shape os, int K, int S, int P) {
    const Ops* ops = current();
    if (whole(ops, is, os, K, S, P)) {  // absent table connections have zero weights: a dense product
        ops->gemv(out, in, w, b, is.c * K * K, os.c);
        return true;
    }
    if (!covered(ops, is, os, K, S, P)) return false;
    const int I = is.c, H = is.h, W = is.w, O = os.c, Ho = os.h, Wo = os.w, KK = K * K;
    if (oc_shape(ops, O, W, Wo)) {
        const size_t n_w = size_t(I) * KK * O, Pn = size_t(Ho) * Wo;
        float* wv = scratch(n_w + KK + Pn);
        int* off = reinterpret_cast<int*>(wv + n_w);
        int* pos = off + KK;
        pack_oc(ops, wv, w, table, I, O, KK);
        tap_offsets(off, K, W);
        out_positions(pos, Ho, Wo, W);
        return ops->conv_oc(out, in, size_t(H) * W, I, off, KK, wv, b, pos, int(Pn), O, K, W, Ho, Wo);
    }
    if (ops->rows && ops->rows(out, in, scratch(size_t(16) * I * KK), w, b, table, O, I, H, W, Ho, Wo, K)) return true;
    const size_t L = size_t(Ho - 1) * W + size_t(Wo), Lb = round_up(L, ops->block);
    const size_t istr = round_up(Lb + size_t(K - 1) * (W + 1), ops->vw);
    const size_t n_in = size_t(I) * istr, n_out = size_t(O) * Lb, n_w = size_t(16) * I * KK;
    float* inpad = scratch(n_in + n_out + n_w + KK);
    float* outpad = inpad + n_in;
    float* wpk = outpad + n_out;
    int* off = reinterpret_cast<int*>(wpk + n_w);
    for (int i = 0; i < I; ++i) {
        float* d = inpad + size_t(i) * istr;
        ops->copy_pad(d, in + size_t(i) * H * W, size_t(H) * W, istr);
    }
    tap_offsets(off, K, W);
    ops->fwd(outpad, Lb, inpad, istr, off, Lb, wpk, w, table, O, I, K, W);
    ops->extract_bias(out, outpad, Lb, b, O, Ho, Wo, W);
    return true;
}

bool conv_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   const uint8_t* table, Shape is, Shape os, int K, int S, int P) {
    const Ops* ops = current();
    if (whole(ops, is, os, K, S, P) && !table) {
        const int n = is.c * K * K, O = os.c;
        for (int o = 0; o < O; ++o) db[o] += dpre[o];
        ops->ger(dw, dpre, in, n, O);
        if (din) ops->gemv_t(din, w, dpre, n, O);
        return true;
    }
    if (!covered(ops, is, os, K, S, P)) return false;
    const int I = is.c, H = is.h, W = is.w, O = os.c, Ho = os.h, Wo = os.w, KK = K * K;
    if (ops->grad_oc && oc_shape(ops, O, W, Wo)) {
        conv_backward_oc(ops, din, dw, db, dpre, in, w, table, I, H, W, O, Ho, Wo, K);
        return true;
    }
    if (K != 3 && K != 5) return false;
    const size_t L = size_t(Ho - 1) * W + size_t(Wo), Lb = round_up(L, ops->block);
    const size_t LbG = round_up(L, ops->vw);              // weight-gradient dot products
    const size_t HW = size_t(H) * W, Qb = round_up(HW, ops->block);
    const size_t F = size_t(K - 1) * W + size_t(K - 1);  // output gradient offset in gfront
    const size_t istr = round_up(Lb + F, ops->vw);
    const size_t gs = round_up(F + std::max(Qb, Lb) + ops->vw, ops->vw);
    const size_t n_in = size_t(I) * istr, n_g = size_t(O) * gs, n_dw = size_t(O) * I * KK;
    const size_t n_din = din ? size_t(I) * Qb : 0, n_w = size_t(16) * O * KK;
    float* inpad = scratch(n_in + n_g + n_dw + n_din + n_w + KK);
    float* gfront = inpad + n_in;
    float* dwt = gfront + n_g;
    float* dinpad = dwt + n_dw;
    float* wpk = dinpad + n_din;
    int* off = reinterpret_cast<int*>(wpk + n_w);
    for (int i = 0; i < I; ++i) {
        float* d = inpad + size_t(i) * istr;
        ops->copy_pad(d, in + size_t(i) * HW, HW, istr);
    }
    ops->place_grad(gfront, gs, F, dpre, db, O, Ho, Wo, W);
    ops->grad(dwt, K, O, I, gfront + F, gs, inpad, istr, W, LbG);
    add_weight_grads(ops, dw, dwt, table, O, I, KK);
    if (din) {
        // din[q] = sum_t w_t g[q - off_t] = sum_t' w_(KK-1-t') gfront[q + off_t'] (taps mirrored)
        tap_offsets(off, K, W);
        const ptrdiff_t nz_hi = ptrdiff_t(F + size_t(Ho - 1) * W + size_t(Wo));  // gfront is zero elsewhere
        ops->bwd_in(dinpad, Qb, gfront, gs, off, Qb, wpk, w, table, O, I, K, W, ptrdiff_t(F), nz_hi);
        for (int i = 0; i < I; ++i) ops->add_to(din + size_t(i) * HW, dinpad + size_t(i) * Qb, HW);
    }
    return true;
}

bool full_forward(float* out, const float* in, const float* w, const float* b, int I, int O) {
    const Ops* ops = current();
    if (!ops) return false;
    ops->gemv(out, in, w, b, I, O);
    return true;
}

bool dense_forward_multi(float* out, size_t ostride, const float* in, size_t istride, int n, const float* w,
                         const float* b, int I, int O) {
    const Ops* ops = current();
    if (!ops || I % int(ops->vw) != 0) return false;
    ops->gemv_multi(out, ostride, in, istride, n, w, b, I, O);
    return true;
}

bool full_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w, int I,
                   int O) {
    const Ops* ops = current();
    if (!ops) return false;
    for (int o = 0; o < O; ++o) db[o] += dpre[o];
    ops->ger(dw, dpre, in, I, O);
    if (din) ops->gemv_t(din, w, dpre, I, O);
    return true;
}

bool dense_backward_no_dw(float* din, float* db, const float* dpre, const float* w, int I, int O) {
    const Ops* ops = current();
    if (!ops) return false;
    for (int o = 0; o < O; ++o) db[o] += dpre[o];
    if (din) ops->gemv_t(din, w, dpre, I, O);
    return true;
}

bool dense_weight_grads(float* dw, const float* g, size_t gstride, const float* x, size_t xstride, int n, int I,
                        int O) {
    const Ops* ops = current();
    if (!ops) return false;
    ops->ger_batch(dw, g, gstride, x, xstride, n, I, O);
    return true;
}

bool apply_sgd(float* w, const float* g, const float* step, float s, size_t n) {
    const Ops* ops = current();
    if (!ops) return false;
    ops->sgd_apply(w, g, step, s, n);
    return true;
}

bool dense_backward_update(float* din, float* w, float* b, const float* dpre, const float* in, int I, int O,
                           const float* stepw, const float* stepb, float s) {
    const Ops* ops = current();
    if (!ops) return false;
    if (din && I % int(ops->vw) == 0) {
        ops->dense_bwd_update(din, w, b, dpre, in, stepw, stepb, s, I, O);  // one pass over w
        return true;
    }
    if (din) ops->gemv_t(din, w, dpre, I, O);  // with the weights before the update
    ops->ger_update(w, b, dpre, in, stepw, stepb, s, I, O);
    return true;
}

bool conv_backward_update(float* din, float* w, float* b, const float* dpre, const float* in, const uint8_t* table,
                          Shape is, Shape os, int K, int S, int P, const float* stepw, const float* stepb, float s) {
    const Ops* ops = current();
    if (!whole(ops, is, os, K, S, P) || table) return false;
    return dense_backward_update(din, w, b, dpre, in, is.c * K * K, os.c, stepw, stepb, s);
}

bool activation_forward(float* out, const float* pre, size_t n, Activation a) {
    const Ops* ops = current();
    if (!ops) return false;
    if (a == Activation::Tanh) ops->tanh_n(out, pre, n, 1.0f, 1.0f);
    else if (a == Activation::ScaledTanh) ops->tanh_n(out, pre, n, 1.7159f, 2.0f / 3.0f);
    else return false;
    return true;
}

// 2x2 windows, stride 2 (every preset's S2 and S4): specialised loops the compiler unrolls.
bool pool_forward(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode, Shape is,
                  Shape os, int K, int S) {
    const Ops* ops = current();
    if (!ops || K != 2 || S != 2 || mode == PoolMode::Max || os.h * 2 > is.h || os.w * 2 > is.w) return false;
    const bool avg = mode == PoolMode::Avg;
    ops->pool2x2(out, in, avg ? nullptr : coeff, avg ? nullptr : bias, is.c, is.h, is.w, os.h, os.w);
    return true;
}

bool pool_backward(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in, const float* coeff,
                   PoolMode mode, Shape is, Shape os, int K, int S) {
    const Ops* ops = current();
    if (!ops || K != 2 || S != 2 || mode == PoolMode::Max || os.h * 2 > is.h || os.w * 2 > is.w) return false;
    const int C = is.c, W = is.w, Ho = os.h, Wo = os.w;
    for (int c = 0; c < C; ++c) {
        const float* ip = in + size_t(c) * is.h * W;
        const float* gp = dpre + size_t(c) * Ho * Wo;
        const float m = mode == PoolMode::Avg ? 0.25f : coeff[c];
        if (mode == PoolMode::Subsample) {
            float dc = 0.0f, dbs = 0.0f;
            for (int y = 0; y < Ho; ++y) {
                const float* r0 = ip + size_t(2 * y) * W;
                const float* r1 = r0 + W;
                const float* g = gp + size_t(y) * Wo;
                for (int x = 0; x < Wo; ++x) {
                    dc += g[x] * ((r0[2 * x] + r0[2 * x + 1]) + (r1[2 * x] + r1[2 * x + 1]));
                    dbs += g[x];
                }
            }
            dcoeff[c] += dc;
            dbias[c] += dbs;
        }
        if (din) ops->pool2x2_back(din + size_t(c) * is.h * W, gp, m, Ho, Wo, W);
    }
    return true;
}

bool activation_backward(float* dpre, const float* dout, const float* out, size_t n, Activation a) {
    const Ops* ops = current();
    if (!ops) return false;
    if (a == Activation::Tanh) ops->tanh_back(dpre, dout, out, n, false, 1.0f, 1.0f);
    else if (a == Activation::ScaledTanh)
        ops->tanh_back(dpre, dout, out, n, true, detail::kScaledTanhS / detail::kScaledTanhA,
                       detail::kScaledTanhA * detail::kScaledTanhA);
    else return false;
    return true;
}

}  // namespace kernels
}  // namespace lenet
