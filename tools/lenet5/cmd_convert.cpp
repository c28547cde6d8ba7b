// cmd_convert.cpp — `lenet5 convert --weights IN --out OUT [--arch NAME|FILE.json]`: convert between
// the native .lenet format (architecture included), ONNX (.onnx: the network as a standard ONNX
// graph, read back without --arch) and NumPy .npz with PyTorch keys and layouts
// ("C1.weight" [6,1,5,5], "C1.bias" [6], "S2.coeff" [6], ..., "OUTPUT.prototypes" [10,84]), so
// weights trained in PyTorch can be inspected here and ours loaded into PyTorch. The input's kind is
// found from its content, the output's from its extension (.npz, .onnx, anything else native). An .npz
// input with PyTorch's own keys is matched by order and shape (--arch when no single preset fits).
// --input-norm sets how the written network scales pixels. Formats: docs/file-formats.md.
#include "commands.h"

#include <lenet/lenet.h>

#include <cstdio>
#include <memory>
#include <string>

void register_convert(CLI::App& app) {
    struct Options { std::string in, out, arch, input_norm; };
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("convert", "Convert weights between native .lenet, ONNX .onnx and NumPy .npz (PyTorch keys)");
    c->add_option("--weights,-w", o->in, kWeightsHelp)->required();
    c->add_option("--out,-o", o->out, "Output file: .npz for NumPy/PyTorch, .onnx for ONNX, anything else (e.g. .lenet) native")
        ->required();
    c->add_option("--arch,-a", o->arch, "Architecture (preset name or JSON spec) for an .npz input, when its "
                                        "tensors fit more than one preset or none");
    add_input_norm_option(c, o->input_norm);
    c->callback([o] {
        const lenet::Network net = load_network(o->in, o->arch, o->input_norm);
        lenet::save_any_weights(net, o->out);
        const std::vector<lenet::NpyTensor> tensors = lenet::get_tensors(net);
        std::fprintf(stderr, "wrote %s: architecture %s, %zu tensors, %s trainable parameters\n", o->out.c_str(),
                     net.spec().name.c_str(), tensors.size(), with_commas(net.totals().params).c_str());
    });
}
