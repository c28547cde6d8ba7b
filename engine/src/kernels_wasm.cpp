// kernels_wasm.cpp — the SIMD kernels for WebAssembly with 128-bit SIMD (-msimd128): 4 floats per
// vector; V8 keeps about 15 vector registers. wasm builds only; there they are always in use.
// The whole file is compiled with -msimd128 (there is no fused multiply-add to avoid).
#include "kernels.h"

#ifdef LENET_KERNELS_WASM
#include "layers.h"

#include <wasm_simd128.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

// ---- configuration --------------------------------------------------------------------------------
#define VBYTES 16             // vector size in bytes
#define NV 2                  // vectors per block of wide-row positions
#define OB_A 2                // output maps per register block (at most 8 accumulators): of OB_A,
#define OB_B 3                //   OB_B, OB_C the one that pads the layer's maps least
#define OB_C 4
#define OB_G 2                // output maps per weight-gradient block (C1: 10 sums, 5 inputs, 2 gradients)
#define OC_REGS 15            // vector registers (the output-map kernels' blocking)
#define TANH_CHAINS 4         // independent chains in the tanh loop (no fused multiply-add: longer chains)
#define CONV_ROWS 0           // convs straight into the output rows: not here
#define OC_ROWS 0             // conv_oc_rows: not here
#define OC_BACKWARD 1         // backward of C3 by output maps (grad_oc, din_oc)
#define GRAD_OC_NB 4          //   grad_oc: vectors of output maps per block
#define DIN_OC_TB 1           //   din_oc: 1 tap x 2 rows x 3 vectors: 6 sums, 6 gradient vectors,
#define DIN_OC_PV 3           //   1 broadcast
#define DIN_OC_RB 2
#define CORR_OFFSETS_ONLY 1   // taps from an offset table (corr_block): clang and V8 spill the unrolled form
#define BCAST wasm_f32x4_splat
// pmin/pmax are one x86 instruction each in V8 (min/max handle -0 and NaN in several); NaN still
// propagates through the clamp of tanh (pmin(NaN, c) = NaN, pmax(NaN, -c) = NaN).
#define VMIN(a, b) ((vf)wasm_f32x4_pmin((v128_t)(a), (v128_t)(b)))
#define VMAX(a, b) ((vf)wasm_f32x4_pmax((v128_t)(a), (v128_t)(b)))
#define VSEL_SMALL(a, r)                                                                                      \
    ((vf)wasm_v128_bitselect((v128_t)(a), (v128_t)(r),                                                       \
                             wasm_f32x4_lt(wasm_f32x4_abs((v128_t)(a)), wasm_f32x4_splat(0.0004f))))

namespace lenet {
namespace kernels {
namespace wasm {
constexpr Isa kIsa = Isa::WasmSimd;
#include "kernels_common.inc"
#include "kernels_conv.inc"
#include "kernels_dense.inc"
#include "kernels_pool_act.inc"
#include "kernels_drivers.inc"
}  // namespace wasm
}  // namespace kernels
}  // namespace lenet
#endif
