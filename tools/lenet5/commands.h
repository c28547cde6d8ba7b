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
