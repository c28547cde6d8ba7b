// fma_peak.cpp — the machine's single-precision FMA peak, measured, for the floor that scripts/bench
// prints with its table (docs/performance.md, "The floor"). 12 independent chains of FMAs on the
// widest vectors the engine uses on this CPU (AVX-512F: 16 lanes, else AVX2 + FMA: 8 lanes; 2 FLOP
// per lane) so that throughput, not latency (4 cycles), limits it; on one thread, then on every
// thread at once (std::thread). Prints one JSON line:
//   {"machine": "fma peak", "gflops_1t": ..., "gflops_all": ..., "threads": N, "vector_bits": 256|512,
//    "windows_1t": [...]}
// gflops_*: the median of 0.1 s windows over `seconds` (default 1); windows_1t shows how steady the
// clock was (a shared host's turbo varies it). Without AVX2/FMA it prints {"machine": "fma peak",
// "error": ...} and exits 0.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// 10,000 iterations of 12 register-only FMAs (x_k += m * c): the loop in asm, so that the compiler
// neither merges, spills nor reloads anything. One template for both widths, R the register prefix:
// fma_block: ymm, 256-bit (8 lanes); fma_block512: zmm, 512-bit (16 lanes; used when the CPU has
// AVX-512F, as the engine's avx512 kernels are).
#define FMA_X(R, k) "vxorps %%" R #k ", %%" R #k ", %%" R #k "\n\t"
#define FMA_F(R, k) "vfmadd231ps %%" R "12, %%" R "13, %%" R #k "\n\t"
#define FMA_12(M, R) M(R, 0) M(R, 1) M(R, 2) M(R, 3) M(R, 4) M(R, 5) M(R, 6) M(R, 7) M(R, 8) M(R, 9) M(R, 10) M(R, 11)
#define FMA_LOOP(R)                                                                                      \
    __asm__ volatile("vbroadcastss %[m], %%" R "12\n\t"                                                \
                     "vbroadcastss %[c], %%" R "13\n\t" FMA_12(FMA_X, R) "mov $10000, %%ecx\n"          \
                     "1:\n\t" FMA_12(FMA_F, R) "dec %%ecx\n\t"                                          \
                     "jnz 1b\n\t"                                                                       \
                     "vzeroupper"                                                                       \
                     :                                                                                  \
                     : [m] "m"(m), [c] "m"(c)                                                           \
                     : "ecx", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",   \
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc")

__attribute__((target("avx2,fma"))) void fma_block() {
    const float m = 0.999999f, c = 1e-6f;
    FMA_LOOP("ymm");
}

__attribute__((target("avx512f"))) void fma_block512() {
    const float m = 0.999999f, c = 1e-6f;
    FMA_LOOP("zmm");
}

// Runs for `seconds`; returns the GFLOP/s of each 0.1 s window.
std::vector<double> fma_windows(double seconds, bool wide) {
    std::vector<double> out;
    const double t0 = now_s();
    double tw = t0;
    long iters = 0;
    for (;;) {
        if (wide) fma_block512(); else fma_block();  // 12 FMAs x 8 (16) lanes x 2 FLOP per iteration
        iters += 10000;
        const double t = now_s();
        if (t - tw >= 0.1) {
            out.push_back(double(iters) * (wide ? 384.0 : 192.0) / (t - tw) * 1e-9);
            iters = 0;
            tw = t;
        }
        if (t - t0 >= seconds) break;
    }
    return out;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t k = v.size() / 2;
    return v.size() % 2 ? v[k] : 0.5 * (v[k - 1] + v[k]);
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    if (!(seconds >= 0.2 && seconds <= 60)) {
        std::fprintf(stderr, "fma_peak: seconds must be in [0.2, 60], got '%s'\n", argv[1]);
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        std::printf("{\"machine\": \"fma peak\", \"error\": \"this CPU has no AVX2 + FMA\"}\n");
        return 0;
    }
    const bool wide = __builtin_cpu_supports("avx512f");
    const std::vector<double> w1 = fma_windows(seconds, wide);
    const int n = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::vector<double>> wn(static_cast<size_t>(n));
    std::vector<std::thread> th;
    for (int t = 0; t < n; ++t) th.emplace_back([&, t] { wn[size_t(t)] = fma_windows(seconds, wide); });
    for (auto& t : th) t.join();
    double all = 0;
    for (const auto& w : wn) all += median(w);
    std::printf("{\"machine\": \"fma peak\", \"gflops_1t\": %.1f, \"gflops_all\": %.1f, \"threads\": %d, \"vector_bits\": %d, \"windows_1t\": [",
                median(w1), all, n, wide ? 512 : 256);
    for (size_t k = 0; k < w1.size(); ++k) std::printf("%s%.1f", k ? ", " : "", w1[k]);
    std::printf("]}\n");
    return 0;
}
#else
int main() {
    std::printf("{\"machine\": \"fma peak\", \"error\": \"not an x86-64 build\"}\n");
    return 0;
}
#endif
