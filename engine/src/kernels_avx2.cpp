// kernels_avx2.cpp — the SIMD kernels for x86-64 with AVX2 and FMA: 8 floats per vector, 16
// vector registers. Native builds with GCC; chosen at run time when the CPU has them (kernels.cpp).
// The kernels (kernels_common.inc .. kernels_pool_act.inc) are compiled for AVX2 + FMA by the
// target pragma; the drivers (kernels_drivers.inc) after it, for the baseline.
#include "kernels.h"

#ifdef LENET_KERNELS_X86
#include "layers.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

// ---- configuration --------------------------------------------------------------------------------
#define VBYTES 32             // vector size in bytes
#define NV 2                  // vectors per block of wide-row positions
#define OB_A 4                // output maps per register block: of OB_A, OB_B, OB_C the one that
#define OB_B 5                //   pads the layer's maps least
#define OB_C 6
#define OB_G 2                // output maps per weight-gradient block
#define OC_REGS 16            // vector registers (the output-map kernels' blocking)
#define TANH_CHAINS 2         // independent chains in the tanh loop
#define CONV_ROWS 1           // convs straight into the output rows (conv_rows: C1)
#define OC_ROWS 0             // conv_oc_rows (no gain over conv_oc here)
#define OC_BACKWARD 0         // backward of C3 by output maps (0: the wide rows)
#define CORR_OFFSETS_ONLY 0   // 0: taps at compile-time offsets (corr_block_k)
#define BCAST_MEM _mm256_set1_ps
#define VMIN(a, b) ((vf)_mm256_min_ps((__m256)(a), (__m256)(b)))
#define VMAX(a, b) ((vf)_mm256_max_ps((__m256)(a), (__m256)(b)))
#define VSEL_SMALL(a, r)                                                                                      \
    ((vf)_mm256_blendv_ps((__m256)(r), (__m256)(a),                                                          \
                          _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), (__m256)(a)),               \
                                        _mm256_set1_ps(0.0004f), _CMP_LT_OQ)))

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#pragma GCC optimize("fp-contract=fast")
namespace lenet {
namespace kernels {
namespace avx2 {
#include "kernels_common.inc"
#include "kernels_conv.inc"
#include "kernels_dense.inc"
#include "kernels_pool_act.inc"
}  // namespace avx2
}  // namespace kernels
}  // namespace lenet
#pragma GCC pop_options

namespace lenet {
namespace kernels {
namespace avx2 {
constexpr Isa kIsa = Isa::Avx2;
#include "kernels_drivers.inc"
}  // namespace avx2
}  // namespace kernels
}  // namespace lenet
#endif
