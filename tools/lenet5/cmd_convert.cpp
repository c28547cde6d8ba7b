// cmd_convert.cpp — `lenet5 convert --weights IN --out OUT [--arch NAME|FILE.json]`: convert between
// the native .lenet format (architecture included), ONNX (.onnx: the network as a standard ONNX
// graph, read back without --arch) and NumPy .npz with PyTorch keys and layouts
// ("C1.weight" [6,1,5,5], "C1.bias" [6], "S2.coeff" [6], ..., "OUTPUT.prototypes" [10,84]), so
// weights trained in PyTorch can be inspected here and ours loaded into PyTorch. The input's kind is
// found from its content, the output's from its extension (.npz, .onnx, anything else native). An .npz input
// needs --arch. Formats: docs/file-formats.md.
#include "commands.h"

#include <lenet/lenet.h>

#include <cstdio>
#include <memory>
#include <string>

void register_convert(CLI::App& app) {
    struct Options { std::string in, out, arch; };
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("convert", "Convert weights between native .lenet, ONNX .onnx and NumPy .npz (PyTorch keys)");
    c->add_option("--weights,-w", o->in, "Input weights (.lenet, .onnx, or .npz with --arch)")->required();
    c->add_option("--out,-o", o->out, "Output file: .npz for NumPy/PyTorch, .onnx for ONNX, anything else (e.g. .lenet) native")
        ->required();
    c->add_option("--arch,-a", o->arch, "Architecture (preset name or JSON spec): required for an .npz input");
    c->callback([o] {
        const lenet::Network net = lenet::load_any_weights(o->in, o->arch);
        lenet::save_any_weights(net, o->out);
        const std::vector<lenet::NpyTensor> tensors = lenet::get_tensors(net);
        std::fprintf(stderr, "wrote %s: architecture %s, %zu tensors, %s trainable parameters\n", o->out.c_str(),
                     net.spec().name.c_str(), tensors.size(), with_commas(net.totals().params).c_str());
    });
}
