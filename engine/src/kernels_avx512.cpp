// kernels_avx512.cpp — the SIMD kernels for x86-64 with AVX-512 (F, VL): 16 floats per vector, 32
// vector registers. Native builds with GCC; chosen at run time when the CPU has them (kernels.cpp).
// The kernels (kernels_common.inc .. kernels_pool_act.inc) are compiled for AVX-512 by the target
// pragma; the drivers (kernels_drivers.inc) after it, for the baseline.
#include "kernels.h"

#ifdef LENET_KERNELS_X86
#include "layers.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

// ---- configuration --------------------------------------------------------------------------------
#define VBYTES 64             // vector size in bytes
#define NV 1                  // vectors per block of wide-row positions
#define OB_A 6                // output maps per register block: of OB_A, OB_B, OB_C the one that
#define OB_B 8                //   pads the layer's maps least
#define OB_C 12
#define OB_G 4                // output maps per weight-gradient block
#define OC_REGS 32            // vector registers (the output-map kernels' blocking)
#define TANH_CHAINS 2         // independent chains in the tanh loop
#define CONV_ROWS 1           // convs straight into the output rows (conv_rows: C1)
#define OC_ROWS 1             // C3 forward in blocks of output rows (conv_oc_rows)
#define OC_BACKWARD 0         // backward of C3 by output maps (0: the wide rows)
#define CORR_OFFSETS_ONLY 0   // 0: taps at compile-time offsets (corr_block_k)
#define BCAST_MEM _mm512_set1_ps
#define VMIN(a, b) ((vf)_mm512_min_ps((__m512)(a), (__m512)(b)))
#define VMAX(a, b) ((vf)_mm512_max_ps((__m512)(a), (__m512)(b)))
#define VSEL_SMALL(a, r)                                                                                      \
    ((vf)_mm512_mask_blend_ps(                                                                                \
        _mm512_cmp_ps_mask(_mm512_abs_ps((__m512)(a)), _mm512_set1_ps(0.0004f), _CMP_LT_OQ), (__m512)(r),     \
        (__m512)(a)))

#pragma GCC push_options
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12: _mm512_undefined_ps inside min/max/abs
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#pragma GCC optimize("fp-contract=fast")
namespace lenet {
namespace kernels {
namespace avx512 {
#include "kernels_common.inc"
#include "kernels_conv.inc"
#include "kernels_dense.inc"
#include "kernels_pool_act.inc"
}  // namespace avx512
}  // namespace kernels
}  // namespace lenet
#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace lenet {
namespace kernels {
namespace avx512 {
constexpr Isa kIsa = Isa::Avx512;
#include "kernels_drivers.inc"
}  // namespace avx512
}  // namespace kernels
}  // namespace lenet
#endif
