// commands.h — the subcommands of `lenet5`. Each lives in tools/lenet5/cmd_<name>.cpp and adds itself
// to the app with register_<name>(app); main.cpp calls every register function (one line each).
//
// Conventions for a command's callback:
//   - throw lenet::Error for bad input: main prints "lenet5: error: <what>" and exits 1 (2 for
//     ErrorKind::Usage);
//   - throw CLI::RuntimeError(code) to exit with a specific status after printing your own message;
//   - write results to stdout, progress and diagnostics to stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <lenet/lenet.h>

#include <cstdint>
#include <string>

void register_summary(CLI::App& app);
void register_train(CLI::App& app);
void register_eval(CLI::App& app);
void register_classify(CLI::App& app);
void register_convert(CLI::App& app);
void register_bench(CLI::App& app);
void register_top_digits(CLI::App& app);
void register_gradient(CLI::App& app);

using lenet::with_commas;  // "60000" -> "60,000"

// How every command that reads a weights file loads it (load_network.cpp): lenet::load_any_weights
// (native .lenet, ONNX, or an .npz state_dict matched to `arch` or to a preset), then --input-norm
// ("paper" or "unit"; empty keeps the file's) overriding how the network scales pixels.
lenet::Network load_network(const std::string& weights, const std::string& arch, const std::string& input_norm);
void add_input_norm_option(CLI::App* c, std::string& input_norm);
// The --weights help text shared by those commands.
constexpr const char* kWeightsHelp =
    "Weights file: native .lenet or ONNX .onnx (each with its architecture), or an .npz state_dict "
    "(our keys, or PyTorch's matched by order and shape; --arch when several presets fit)";
