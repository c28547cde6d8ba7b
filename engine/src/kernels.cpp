// kernels.cpp — which code runs a layer: the instruction set, chosen once (CPU, LENET_KERNELS,
// set_isa), and the functions of layers.h and kernels.h, each one call through the Ops in use.
// The rule for every layer function is in one place, below: the Ops entry runs the case if it
// covers it (returns true), else the reference loop of layers.cpp runs it. See kernels.h.
#include "kernels.h"
#include "layers.h"

#include <cstdlib>
#include <cstring>

namespace lenet {
namespace kernels {

namespace {

// The portable Ops: the reference loops, every case covered; no kernel-only entries.
Ops portable_ops() {
    Ops ops;
    ops.isa = Isa::Portable;
    ops.conv_forward = [](float* out, const float* in, const float* w, const float* b, const uint8_t* table,
                          Shape is, Shape os, int K, int S, int P, float* scratch) {
        detail::ref::conv_forward(out, in, w, b, table, is, os, K, S, P, scratch);
        return true;
    };
    ops.conv_backward = [](float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                           const uint8_t* table, Shape is, Shape os, int K, int S, int P, float* scratch) {
        detail::ref::conv_backward<false>(din, dw, db, dpre, in, w, table, is, os, K, S, P, scratch);
        return true;
    };
    ops.pool_forward = [](float* out, const float* in, const float* coeff, const float* bias, PoolMode mode,
                          Shape is, Shape os, int K, int S) {
        detail::ref::pool_forward(out, in, coeff, bias, mode, is, os, K, S);
        return true;
    };
    ops.pool_backward = [](float* din, float* dcoeff, float* dbias, const float* dpre, const float* in,
                           const float* coeff, PoolMode mode, Shape is, Shape os, int K, int S) {
        detail::ref::pool_backward<false>(din, dcoeff, dbias, dpre, in, coeff, mode, is, os, K, S);
        return true;
    };
    ops.full_forward = [](float* out, const float* in, const float* w, const float* b, int I, int O) {
        detail::ref::full_forward(out, in, w, b, I, O);
        return true;
    };
    ops.full_backward = [](float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                           int I, int O) {
        detail::ref::full_backward<false>(din, dw, db, dpre, in, w, I, O);
        return true;
    };
    ops.activation_forward = [](float* out, const float* pre, size_t n, Activation a) {
        detail::ref::activation_forward(out, pre, n, a);
        return true;
    };
    ops.activation_backward = [](float* dpre, const float* dout, const float* pre, const float* out, size_t n,
                                 Activation a) {
        detail::ref::activation_backward<false>(dpre, dout, pre, out, n, a);
        return true;
    };
    return ops;
}

// The Ops of an instruction set this build has, else null.
const Ops* ops_for(Isa i) {
    switch (i) {
        case Isa::Portable: {
            static const Ops ops = portable_ops();
            return &ops;
        }
#ifdef LENET_KERNELS_X86
        case Isa::Avx2: {
            static const Ops ops = avx2::make_ops();
            return &ops;
        }
        case Isa::Avx512: {
            static const Ops ops = avx512::make_ops();
            return &ops;
        }
#endif
#ifdef LENET_KERNELS_WASM
        case Isa::WasmSimd: {
            static const Ops ops = wasm::make_ops();
            return &ops;
        }
#endif
        default: return nullptr;
    }
}

// The best instruction set of this build on this CPU.
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

// The best, or LENET_KERNELS if it names a supported one.
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

const Ops& ops() { return *current(); }

Isa isa() { return ops().isa; }

void set_isa(Isa i) {
    if (!isa_supported(i))
        throw Error(ErrorKind::Usage, "kernels", std::string("instruction set ") + isa_name(i) +
                                                     " is not available in this build or on this CPU");
    current() = ops_for(i);
}

// ---- kernel-only entry points: false (nothing done) where the Ops has none ------------------------
bool dense_forward_multi(float* out, size_t ostride, const float* in, size_t istride, int n, const float* w,
                         const float* b, int I, int O) {
    const Ops& o = ops();
    return o.dense_forward_multi && o.dense_forward_multi(out, ostride, in, istride, n, w, b, I, O);
}

bool dense_backward_no_dw(float* din, float* db, const float* dpre, const float* w, int I, int O) {
    const Ops& o = ops();
    return o.dense_backward_no_dw && o.dense_backward_no_dw(din, db, dpre, w, I, O);
}

bool dense_weight_grads(float* dw, const float* g, size_t gstride, const float* x, size_t xstride, int n, int I,
                        int O) {
    const Ops& o = ops();
    return o.dense_weight_grads && o.dense_weight_grads(dw, g, gstride, x, xstride, n, I, O);
}

bool apply_sgd(float* w, const float* g, const float* step, float s, size_t n) {
    const Ops& o = ops();
    return o.apply_sgd && o.apply_sgd(w, g, step, s, n);
}

bool dense_backward_update(float* din, float* w, float* b, const float* dpre, const float* in, int I, int O,
                           const float* stepw, const float* stepb, float s) {
    const Ops& o = ops();
    return o.dense_backward_update && o.dense_backward_update(din, w, b, dpre, in, I, O, stepw, stepb, s);
}

bool conv_backward_update(float* din, float* w, float* b, const float* dpre, const float* in, const uint8_t* table,
                          Shape is, Shape os, int K, int /*S*/, int P, const float* stepw, const float* stepb,
                          float s) {
    if (!detail::conv_covers_input(is, K, P) || table) return false;
    return dense_backward_update(din, w, b, dpre, in, int(is.size()), os.c, stepw, stepb, s);
}

}  // namespace kernels

// ---- layers.h: the Ops in use where it covers the case, else the reference loop -------------------
// The second-derivative pass (SQ) has no kernels: always the reference loops.
namespace detail {

void conv_forward(float* out, const float* in, const float* w, const float* b, const uint8_t* table, Shape is,
                  Shape os, int K, int S, int P, float* scratch) {
    if (!kernels::ops().conv_forward(out, in, w, b, table, is, os, K, S, P, scratch))
        ref::conv_forward(out, in, w, b, table, is, os, K, S, P, scratch);
}

template <bool SQ>
void conv_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w,
                   const uint8_t* table, Shape is, Shape os, int K, int S, int P, float* scratch) {
    if (SQ || !kernels::ops().conv_backward(din, dw, db, dpre, in, w, table, is, os, K, S, P, scratch))
        ref::conv_backward<SQ>(din, dw, db, dpre, in, w, table, is, os, K, S, P, scratch);
}
template void conv_backward<false>(float*, float*, float*, const float*, const float*, const float*,
                                   const uint8_t*, Shape, Shape, int, int, int, float*);
template void conv_backward<true>(float*, float*, float*, const float*, const float*, const float*,
                                  const uint8_t*, Shape, Shape, int, int, int, float*);

void pool_forward(float* out, const float* in, const float* coeff, const float* bias, PoolMode mode, Shape is,
                  Shape os, int K, int S) {
    if (!kernels::ops().pool_forward(out, in, coeff, bias, mode, is, os, K, S))
        ref::pool_forward(out, in, coeff, bias, mode, is, os, K, S);
}

template <bool SQ>
void pool_backward(float* din, float* dcoeff, float* dbias, const float* dpre, const float* in, const float* coeff,
                   PoolMode mode, Shape is, Shape os, int K, int S) {
    if (SQ || !kernels::ops().pool_backward(din, dcoeff, dbias, dpre, in, coeff, mode, is, os, K, S))
        ref::pool_backward<SQ>(din, dcoeff, dbias, dpre, in, coeff, mode, is, os, K, S);
}
template void pool_backward<false>(float*, float*, float*, const float*, const float*, const float*, PoolMode,
                                   Shape, Shape, int, int);
template void pool_backward<true>(float*, float*, float*, const float*, const float*, const float*, PoolMode,
                                  Shape, Shape, int, int);

void full_forward(float* out, const float* in, const float* w, const float* b, int I, int O) {
    if (!kernels::ops().full_forward(out, in, w, b, I, O)) ref::full_forward(out, in, w, b, I, O);
}

template <bool SQ>
void full_backward(float* din, float* dw, float* db, const float* dpre, const float* in, const float* w, int I,
                   int O) {
    if (SQ || !kernels::ops().full_backward(din, dw, db, dpre, in, w, I, O))
        ref::full_backward<SQ>(din, dw, db, dpre, in, w, I, O);
}
template void full_backward<false>(float*, float*, float*, const float*, const float*, const float*, int, int);
template void full_backward<true>(float*, float*, float*, const float*, const float*, const float*, int, int);

void activation_forward(float* out, const float* pre, size_t n, Activation a) {
    if (!kernels::ops().activation_forward(out, pre, n, a)) ref::activation_forward(out, pre, n, a);
}

template <bool SQ>
void activation_backward(float* dpre, const float* dout, const float* pre, const float* out, size_t n,
                         Activation a) {
    if (SQ || !kernels::ops().activation_backward(dpre, dout, pre, out, n, a))
        ref::activation_backward<SQ>(dpre, dout, pre, out, n, a);
}
template void activation_backward<false>(float*, const float*, const float*, const float*, size_t, Activation);
template void activation_backward<true>(float*, const float*, const float*, const float*, size_t, Activation);

}  // namespace detail
}  // namespace lenet
