// layers.h — internal: the per-layer functions the network calls (forward, backward,
// second-derivative backward).
//
// conv_forward, conv_backward, pool_*, full_forward, full_backward and activation_* dispatch
// (kernels.cpp): the Ops of the instruction set in use (kernels.h) where it covers the case, else
// the reference loops, detail::ref (layers.cpp), which are the definition and the tests' oracle.
// The others (conv_scratch_size, full_weight_grad, rbf_*) have no kernels: layers.cpp defines them
// here, beside the reference loops.
//
// llm.c style: free functions, outputs first; backward ACCUMULATES into parameter gradients and
// into the input gradient (the caller zeroes them). A null input-gradient pointer skips that work.
// Template flag SQ = true gives the Gauss-Newton second-derivative pass of backward_hessian: the
// same data flow with every weight and input squared (paper Appendix C, LeCun's SDLM).
//
// Shapes: in (I, H, W) = `is`, out (O, Ho, Wo) = `os`. Buffers are row-major, no allocation here.
#pragma once

#include "lenet/lenet.h"

namespace lenet {
namespace detail {

// A conv whose kernel covers its whole unpadded input (C5: 16@5x5 -> 120@1x1) has one output
// position: a dense layer over is.size() inputs (the stride does not matter).
inline bool conv_covers_input(Shape is, int K, int P) { return P == 0 && K == is.h && K == is.w; }

constexpr float kScaledTanhA = 1.7159f;          // [LeCun 1998, Appendix A]: f(a) = A tanh(S a)
constexpr float kScaledTanhS = 2.0f / 3.0f;

// conv: out (O,Ho,Wo) = b + sum over connected i of w (O,I,K,K) * in; table (I,O) or nullptr = full.
void conv_forward(float* out, const float* in, const float* w, const float* b, const uint8_t* table,
                  Shape is, Shape os, int K, int S, int P, float* scratch);
// scratch: conv_scratch_size(is, os, K, S, P) floats (may be null when that is 0).
template <bool SQ>
void conv_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   const uint8_t* table, Shape is, Shape os, int K, int S, int P, float* scratch);
size_t conv_scratch_size(Shape is, Shape os, int K, int S, int P);

// pool: avg, max, or subsample (coeff (C) x window sum + bias (C)); coeff/bias unused otherwise.
void pool_forward(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode,
                  Shape is, Shape os, int K, int S);
template <bool SQ>
void pool_backward(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in,
                   const float* coeff, PoolMode mode, Shape is, Shape os, int K, int S);

// full: out (O) = b + w (O, I) . in (I)
void full_forward(float* out, const float* in, const float* w, const float* b, int I, int O);
template <bool SQ>
void full_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   int I, int O);
// Its weight gradient alone, the portable loop: dw (O, I) += dpre (O) in (I)^T, with in squared if
// SQ (flush_deferred uses it for the samples whose dense weight gradients were deferred).
template <bool SQ = false>
void full_weight_grad(float* dw, const float* dpre, const float* in, int I, int O);

// rbf: out (O) = sum_j (in_j - proto (O, I)_ij)^2 (fixed prototypes: no parameter gradients)
void rbf_forward(float* out, const float* in, const float* proto, int I, int O);
void rbf_backward(float* din, const float* dpre, const float* in, const float* proto, int I, int O);
// Gauss-Newton diagonal: d2in_j += sum_i d2pre_i (dy_i/dx_j)^2 + max(dpre_i, 0) * 2.
void rbf_backward_h(float* d2in, const float* dpre, const float* d2pre, const float* in, const float* proto,
                    int I, int O);

// activations (elementwise over n values); backward uses the saved pre-activation / output
void activation_forward(float* out, const float* pre, size_t n, Activation a);
template <bool SQ>
void activation_backward(float* dpre, const float* dout, const float* pre, const float* out, size_t n,
                         Activation a);

// The reference loops (layers.cpp): the functions above, for every case, with no SIMD kernels.
namespace ref {
void conv_forward(float* out, const float* in, const float* w, const float* b, const uint8_t* table, Shape is,
                  Shape os, int K, int S, int P, float* scratch);
template <bool SQ>
void conv_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   const uint8_t* table, Shape is, Shape os, int K, int S, int P, float* scratch);
void pool_forward(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode, Shape is,
                  Shape os, int K, int S);
template <bool SQ>
void pool_backward(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in, const float* coeff,
                   PoolMode mode, Shape is, Shape os, int K, int S);
void full_forward(float* out, const float* in, const float* w, const float* b, int I, int O);
template <bool SQ>
void full_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w, int I,
                   int O);
void activation_forward(float* out, const float* pre, size_t n, Activation a);
template <bool SQ>
void activation_backward(float* dpre, const float* dout, const float* pre, const float* out, size_t n,
                         Activation a);
}  // namespace ref

}  // namespace detail
}  // namespace lenet
