// kernels.h — internal: which code runs a layer. layers.h's functions (conv_forward, ...) call the
// `Ops` of the instruction set in use; an entry that returns false does not cover the case, and
// the dispatcher (kernels.cpp) then runs the reference loop (layers.cpp, namespace detail::ref).
//
// Instruction sets and their files:
//   portable      the reference loops of layers.cpp (kernels.cpp: portable_ops)
//   avx2, avx512  native x86-64 builds with GCC: kernels_avx2.cpp, kernels_avx512.cpp (GCC target
//                 pragmas; picked at run time from the CPU, __builtin_cpu_supports)
//   wasm-simd128  wasm builds with -msimd128: kernels_wasm.cpp
// Each of those files is a short configuration block (vector width, register blocking) around the
// shared code: kernels_common.inc, kernels_conv.inc, kernels_dense.inc, kernels_pool_act.inc (the
// SIMD kernels) and kernels_drivers.inc (per layer: which kernel covers which shape).
// LENET_KERNELS=portable|avx2|avx512|auto in the environment forces a choice (native builds).
//
// The SIMD kernels cover stride-1 unpadded convolutions whose kernel is smaller than the input
// (C1, C3 of every preset, with or without a connection table) and kernels covering their input
// (C5), dense layers, tanh activations, 2x2 avg/subsample pooling; forward and gradient backward
// (the second-derivative pass of SDLM always runs the reference loops).
//
// Scratch memory is per thread (thread_local), sized on the first call for a layer shape and kept:
// nothing is allocated per sample after that. Summation order is fixed per instruction set, so
// results are deterministic for a given build and machine; they differ from the reference loops by
// rounding only (the tests bound the difference).
#pragma once

#include "lenet/lenet.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LENET_KERNELS_X86 1
#endif
#if defined(__wasm_simd128__)
#define LENET_KERNELS_WASM 1
#endif

namespace lenet {
namespace kernels {

enum class Isa { Portable, Avx2, Avx512, WasmSimd };
Isa         isa();                 // the instruction set in use
const char* isa_name(Isa i);       // "portable", "avx2", "avx512", "wasm-simd128"
bool        isa_supported(Isa i);  // this build and CPU can run it
void        set_isa(Isa i);        // force (tests, benchmarks); unsupported -> Error(Usage)

// One instruction set's entry points. The first group has layers.h's signatures (the gradient
// pass, SQ = false) and returns false for a case it does not cover; the portable Ops runs the
// reference loops and covers everything. The second group exists only with SIMD kernels (null in
// the portable Ops; their callers keep their own loops): see the functions of the same names below.
struct Ops {
    Isa isa = Isa::Portable;
    bool (*conv_forward)(float* out, const float* in, const float* w, const float* b, const uint8_t* table,
                         Shape is, Shape os, int K, int S, int P, float* scratch) = nullptr;
    bool (*conv_backward)(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                          const uint8_t* table, Shape is, Shape os, int K, int S, int P, float* scratch) = nullptr;
    bool (*pool_forward)(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode,
                         Shape is, Shape os, int K, int S) = nullptr;
    bool (*pool_backward)(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in,
                          const float* coeff, PoolMode mode, Shape is, Shape os, int K, int S) = nullptr;
    bool (*full_forward)(float* out, const float* in, const float* w, const float* b, int I, int O) = nullptr;
    bool (*full_backward)(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                          int I, int O) = nullptr;
    bool (*activation_forward)(float* out, const float* pre, size_t n, Activation a) = nullptr;
    bool (*activation_backward)(float* dpre, const float* dout, const float* pre, const float* out, size_t n,
                                Activation a) = nullptr;

    bool (*dense_forward_multi)(float* out, size_t ostride, const float* in, size_t istride, int n, const float* w,
                                const float* b, int I, int O) = nullptr;
    bool (*dense_backward_no_dw)(float* din, float* db, const float* dpre, const float* w, int I, int O) = nullptr;
    bool (*dense_weight_grads)(float* dw, const float* g, size_t gstride, const float* x, size_t xstride, int n,
                               int I, int O) = nullptr;
    bool (*apply_sgd)(float* w, const float* g, const float* step, float s, size_t n) = nullptr;
    bool (*dense_backward_update)(float* din, float* w, float* b, const float* dpre, const float* in, int I, int O,
                                  const float* stepw, const float* stepb, float s) = nullptr;
};

const Ops& ops();  // the Ops in use (chosen once: CPU, LENET_KERNELS; set_isa changes it)

// Each instruction set's Ops, filled by kernels_drivers.inc in its own file.
#ifdef LENET_KERNELS_X86
namespace avx2 { Ops make_ops(); }
namespace avx512 { Ops make_ops(); }
#endif
#ifdef LENET_KERNELS_WASM
namespace wasm { Ops make_ops(); }
#endif

// ---- kernel-only entry points (false without SIMD kernels: nothing done) -------------------------
// n inputs through one dense layer at once (batched inference): out_d (O, at out + d ostride) = b +
// w . in_d (I, at in + d istride), each weight loaded once for several inputs; the same bits as n
// calls of full_forward (or conv_forward of a conv whose kernel covers its input). False: not
// covered (no kernels, or I not a multiple of the vector width); nothing done.
bool dense_forward_multi(float* out, size_t ostride, const float* in, size_t istride, int n, const float* w,
                         const float* b, int I, int O);
// Minibatches, the weight gradient deferred: dense_backward_no_dw is full_backward without dw (db
// and din only); dense_weight_grads then adds n samples' rank-1 gradients, dw += sum_s g_s x_s^T
// (g_s at g + s gstride, O floats; x_s at x + s xstride, I floats), in sample order, the same bits
// as n calls of full_backward.
bool dense_backward_no_dw(float* din, float* db, const float* dpre, const float* w, int I, int O);
bool dense_weight_grads(float* dw, const float* g, size_t gstride, const float* x, size_t xstride, int n, int I,
                        int O);
// Per-sample SGD/SDLM updates, w -= step * gradient, step = step[k] (SDLM's eta / (mu + h_kk)) or
// the scalar s when step is null. Rounded as written (no fused multiply-add), in one place, so
// that the fused form below and "gradient into a buffer, then apply_sgd" give identical weights.
bool apply_sgd(float* w, const float* g, const float* step, float s, size_t n);
// A dense layer's backward fused with its update, its weight gradient never stored: din (if not
// null) accumulates w^T dpre with the weights before the update, then w[o, j] -= step (dpre[o]
// in[j]) and b[o] -= step dpre[o]. conv_backward_update: the same for a conv whose kernel covers
// its input (C5) without a table; other convs: false.
bool dense_backward_update(float* din, float* w, float* b, const float* dpre, const float* in, int I, int O,
                           const float* stepw, const float* stepb, float s);
bool conv_backward_update(float* din, float* w, float* b, const float* dpre, const float* in, const uint8_t* table,
                          Shape is, Shape os, int K, int S, int P, const float* stepw, const float* stepb, float s);

}  // namespace kernels
}  // namespace lenet
