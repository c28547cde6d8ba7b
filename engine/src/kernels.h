// kernels.h — internal: fast SIMD kernels for the hot layers, selected at run time.
//
// The straightforward loops of layers.cpp stay the definition (and the tests' oracle); these entry
// points take over the cases they cover and return false for everything else, so the caller falls
// back to layers.cpp. Covered: stride-1 unpadded convolutions whose kernel is smaller than the input
// (C1, C3 of every preset, with or without a connection table) and kernels covering their input (C5),
// dense layers, tanh activations, 2x2 avg/subsample pooling; forward and gradient backward (the
// second-derivative pass of SDLM keeps the portable loops).
//
// Instruction sets: native x86-64 builds carry AVX-512 (16 floats, 32 registers) and AVX2+FMA (8
// floats) versions compiled with GCC target pragmas and pick one at run time from the CPU
// (__builtin_cpu_supports); wasm builds with -msimd128 use 128-bit SIMD. Anything else: portable
// (layers.cpp). LENET_KERNELS=portable|avx2|avx512|auto in the environment forces a choice (native).
//
// Scratch memory is per thread (thread_local), sized on the first call for a layer shape and kept:
// nothing is allocated per sample after that. Summation order is fixed per instruction set, so
// results are deterministic for a given build and machine; they differ from the portable loops by
// rounding only (the tests bound the difference).
#pragma once

#include "lenet/lenet.h"

namespace lenet {
namespace kernels {

enum class Isa { Portable, Avx2, Avx512, WasmSimd };
Isa         isa();                 // the instruction set in use
const char* isa_name(Isa i);       // "portable", "avx2", "avx512", "wasm-simd128"
bool        isa_supported(Isa i);  // this build and CPU can run it
void        set_isa(Isa i);        // force (tests, benchmarks); unsupported -> Error(Usage)

// out (O, Ho, Wo) = b + conv(in (I, H, W), w (O, I, K, K)), table (I, O) or null. False: not covered.
bool conv_forward(float* out, const float* in, const float* w, const float* b, const uint8_t* table,
                  Shape is, Shape os, int K, int S, int P);
// Gradients: dw, db and (if din) din ACCUMULATE, as layers.h's conv_backward<false>.
bool conv_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   const uint8_t* table, Shape is, Shape os, int K, int S, int P);

// Dense layers: out (O) = b + w (O, I) . in; backward accumulates db, dw and (if din) din.
bool full_forward(float* out, const float* in, const float* w, const float* b, int I, int O);
bool full_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w, int I,
                   int O);
// n inputs through one dense layer at once (batched inference): out_d (O, at out + d ostride) = b +
// w . in_d (I, at in + d istride), each weight loaded once for several inputs; the same bits as n
// calls of full_forward (or conv_forward of a conv whose kernel covers its input). False: not
// covered (no kernels, or I not a multiple of the vector width); nothing done.
bool dense_forward_multi(float* out, size_t ostride, const float* in, size_t istride, int n, const float* w,
                         const float* b, int I, int O);
// Minibatches, the weight gradient deferred: dense_backward_no_dw is full_backward without dw (db
// and din only); dense_weight_grads then adds n samples' rank-1 gradients, dw += sum_s g_s x_s^T
// (g_s at g + s gstride, O floats; x_s at x + s xstride, I floats), in sample order, the same bits
// as n calls of full_backward. False without kernels (nothing done).
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
// Tanh and ScaledTanh (vectorised rational tanh); other activations: false.
bool activation_forward(float* out, const float* pre, size_t n, Activation a);
// Their gradient dpre = dout * f'(pre) from the outputs (same rounding as layers.cpp); else false.
bool activation_backward(float* dpre, const float* dout, const float* out, size_t n, Activation a);
// Avg and subsample pooling with 2x2 windows and stride 2; anything else: false.
bool pool_forward(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode, Shape is,
                  Shape os, int K, int S);
bool pool_backward(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in, const float* coeff,
                   PoolMode mode, Shape is, Shape os, int K, int S);

}  // namespace kernels
}  // namespace lenet
