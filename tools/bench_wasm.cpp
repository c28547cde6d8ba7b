// bench_wasm.cpp — `lenet5 bench` for WebAssembly under node (built by bench/wasm/CMakeLists.txt):
//     node --no-experimental-fetch build/bench-wasm/bench_wasm.js [--arch NAME]... [--json]
//          [--scale S] [--data DIR] [--layers]
// The same lenet::bench() as the native command (engine/src/bench.cpp), single-threaded, SIMD128
// kernels; MNIST is read from the real file system (NODERAWFS), found as natively. --layers: the
// forward pass's time per layer instead (lenet::bench_layers), as `lenet5 bench --layers`.
#include <lenet/lenet.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string> archs;
    std::string data;
    bool json = false;
    bool layers = false;
    double scale = 1.0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) { std::fprintf(stderr, "bench_wasm: %s needs a value\n", a.c_str()); std::exit(2); }
            return argv[++i];
        };
        if (a == "--arch" || a == "-a") archs.push_back(value());
        else if (a == "--data") data = value();
        else if (a == "--scale") scale = std::atof(value().c_str());
        else if (a == "--json") json = true;
        else if (a == "--layers") layers = true;
        else if (a == "--help" || a == "-h") {
            std::printf("usage: bench_wasm [--arch NAME]... [--json | --layers] [--scale S] [--data DIR]\n");
            return 0;
        } else {
            std::fprintf(stderr, "bench_wasm: unknown argument '%s'\n", a.c_str());
            return 2;
        }
    }
    if (json && layers) {
        std::fprintf(stderr, "bench_wasm: --layers excludes --json\n");
        return 2;
    }
    if (archs.empty()) archs = {"lenet5", "lenet5-1998"};
    try {
        const std::string dir = data.empty() ? lenet::default_data_dir("mnist") : data;
        const lenet::Dataset ds = lenet::load_dataset_dir(dir, "train", 10000, "mnist");
        lenet::BenchOptions bo;
        bo.threads = 1;
        bo.scale = scale;
        for (const std::string& a : archs) {
            // V8 first runs wasm through its baseline compiler and optimises hot functions later: one
            // untimed quick pass first, so that the figures are the steady state (as natively).
            lenet::BenchOptions warm = bo;
            warm.scale = 0.1;
            if (layers) {
                lenet::bench_layers(a, ds, warm);
                const auto r = lenet::bench_layers(a, ds, bo);
                std::printf("%s: forward pass by layer (us, median of repetitions)\n", a.c_str());
                for (const auto& [name, us] : r) std::printf("  %-10s %8.3f\n", name.c_str(), us);
                continue;
            }
            lenet::bench(a, ds, warm);
            const lenet::BenchResult r = lenet::bench(a, ds, bo);
            if (json) std::printf("%s\n", lenet::bench_json(r).c_str());
            else
                std::printf("%-14s b1 %.1f us, batch %.0f/s, train mb1 %.0f/s, mb32 %.0f/s\n", r.arch.c_str(),
                            r.infer_b1_us, r.infer_batch_per_s, r.train_mb1_per_s, r.train_mb32_per_s);
        }
    } catch (const lenet::Error& e) {
        std::fprintf(stderr, "bench_wasm: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
