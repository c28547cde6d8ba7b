// cmd_summary.cpp — `lenet5 summary [--arch NAME|FILE.json] [--weights FILE] [--json]`: a torchinfo-like
// table of an architecture, or of the network a weights file holds (.lenet and .onnx carry their own;
// an .npz state_dict is matched to --arch or to a preset): per layer type, input and output shape, activation, trainable parameters,
// connections (the paper's count: every weight use and every bias per output unit) and MACs
// (multiply-accumulates, bias excluded) of the forward pass and of the backward pass's two parts,
// dE/d(input) and dE/dw, with totals and what one training step costs against a forward pass.
// --json prints the same as one JSON object; --spec prints the architecture in the spec format of
// docs/architecture-spec.md.
#include "commands.h"

#include <lenet/lenet.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <cstdio>
#include <string>
#include <vector>

namespace {

std::string type_str(const lenet::LayerSpec& L) {
    using lenet::LayerType;
    const std::string k = std::to_string(L.kernel) + "x" + std::to_string(L.kernel);
    switch (L.type) {
        case LayerType::Conv: {
            std::string s = "conv " + k;
            if (L.stride != 1) s += " /" + std::to_string(L.stride);
            if (L.padding) s += " pad " + std::to_string(L.padding);
            if (L.table_name == "lenet5-table1") s += " Table I";
            else if (!L.table.empty()) s += " table";
            return s;
        }
        case LayerType::Pool: {
            std::string s = std::string(lenet::pool_mode_name(L.pool)) + " " + k;
            if (L.stride != L.kernel) s += " /" + std::to_string(L.stride);
            return s;
        }
        case LayerType::Full: return "full";
        case LayerType::Rbf: return "rbf " + L.prototypes;
    }
    return "?";
}

nlohmann::ordered_json shape_json(const lenet::Shape& s) { return {s.c, s.h, s.w}; }

void print_table(const lenet::Network& net) {
    const lenet::ArchSpec& spec = net.spec();
    constexpr int kCols = 10;
    struct Row { std::string cells[kCols]; };
    std::vector<Row> rows;
    rows.push_back({{"Layer", "Type", "Input", "Output", "Activation", "Params", "Connections", "MACs",
                     "dE/din MACs", "dE/dw MACs"}});
    for (size_t i = 0; i < net.layers().size(); ++i) {
        const lenet::LayerInfo& L = net.layers()[i];
        rows.push_back({{L.name, type_str(spec.layers[i]), lenet::shape_str(L.in), lenet::shape_str(L.out),
                         lenet::activation_name(L.activation), with_commas(L.params), with_commas(L.connections),
                         with_commas(L.macs), with_commas(L.grad_input_macs), with_commas(L.grad_weight_macs)}});
    }
    const lenet::Totals t = net.totals();
    rows.push_back({{"Total", "", "", "", "", with_commas(t.params), with_commas(t.connections), with_commas(t.macs),
                     with_commas(t.grad_input_macs), with_commas(t.grad_weight_macs)}});

    size_t width[kCols] = {0};
    for (const Row& r : rows)
        for (int c = 0; c < kCols; ++c) width[c] = std::max(width[c], r.cells[c].size());
    size_t total_width = 0;
    for (size_t w : width) total_width += w + 2;
    const std::string heavy(total_width - 2, '='), light(total_width - 2, '-');

    std::printf("Architecture: %s\n", spec.name.c_str());
    if (!spec.description.empty()) std::printf("%s\n", spec.description.c_str());
    std::printf("Input: %s (%s normalisation), loss: %s, init: %s\n", lenet::shape_str(spec.input).c_str(),
                lenet::input_norm_name(spec.norm), lenet::loss_name(spec.loss), lenet::init_name(spec.init));
    std::printf("%s\n", heavy.c_str());
    for (size_t r = 0; r < rows.size(); ++r) {
        if (r == rows.size() - 1) std::printf("%s\n", heavy.c_str());
        std::string line;
        for (int c = 0; c < kCols; ++c) {
            const std::string& s = rows[r].cells[c];
            const std::string pad(width[c] - s.size(), ' ');
            line += c >= 5 ? pad + s : s + pad;  // numbers right-aligned
            if (c < kCols - 1) line += "  ";
        }
        std::printf("%s\n", line.c_str());
        if (r == 0) std::printf("%s\n", light.c_str());
    }
    std::printf("%s\n", heavy.c_str());
    size_t fixed = net.fixed().size();
    std::printf("Trainable params: %s", with_commas(t.params).c_str());
    if (fixed) std::printf("  (plus %s fixed RBF prototype values)", with_commas(int64_t(fixed)).c_str());
    std::printf("\nConnections count every weight use and every bias per output unit (LeCun 1998); "
                "MACs exclude biases.\n");
    const int64_t step = t.macs + t.grad_input_macs + t.grad_weight_macs;
    std::printf("One training step (forward, dE/din, dE/dw): %s MACs, %.1fx a forward pass.\n",
                with_commas(step).c_str(), t.macs ? double(step) / double(t.macs) : 0.0);
}

void print_json(const lenet::Network& net) {
    nlohmann::ordered_json j;
    j["arch"] = net.spec().name;
    j["input_shape"] = shape_json(net.spec().input);
    j["input_norm"] = lenet::input_norm_name(net.spec().norm);
    j["loss"] = lenet::loss_name(net.spec().loss);
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const lenet::LayerInfo& L : net.layers()) {
        nlohmann::ordered_json l;
        l["name"] = L.name;
        l["type"] = lenet::layer_type_name(L.type);
        l["input_shape"] = shape_json(L.in);
        l["output_shape"] = shape_json(L.out);
        l["params"] = L.params;
        l["connections"] = L.connections;
        l["macs"] = L.macs;
        l["grad_input_macs"] = L.grad_input_macs;
        l["grad_weight_macs"] = L.grad_weight_macs;
        l["activation"] = lenet::activation_name(L.activation);
        layers.push_back(l);
    }
    j["layers"] = layers;
    const lenet::Totals t = net.totals();
    j["total_params"] = t.params;
    j["total_connections"] = t.connections;
    j["total_macs"] = t.macs;
    j["total_grad_input_macs"] = t.grad_input_macs;
    j["total_grad_weight_macs"] = t.grad_weight_macs;
    std::printf("%s\n", j.dump(2).c_str());
}

}  // namespace

void register_summary(CLI::App& app) {
    struct Options { std::string arch, weights, input_norm; bool json = false, spec = false; };
    auto opt = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("summary", "Print an architecture's layers with shapes, parameters, "
                                                  "connections and MACs (torchinfo-like)");
    cmd->add_option("--arch,-a", opt->arch, "Preset name (lenet5-1998, lenet5, lenet5-relu) or a JSON spec "
                                            "file (docs/architecture-spec.md); default lenet5-1998, or with "
                                            "--weights the file's own");
    cmd->add_option("--weights,-w", opt->weights, kWeightsHelp);
    add_input_norm_option(cmd, opt->input_norm);
    cmd->add_flag("--json", opt->json, "Print JSON {arch, input_shape, input_norm, loss, layers[], total_params, "
                                       "total_connections, total_macs, total_grad_input_macs, total_grad_weight_macs}");
    cmd->add_flag("--spec", opt->spec, "Print the architecture itself as a JSON spec (a starting point for your own)");
    cmd->callback([opt] {
        if (opt->weights.empty() && !opt->input_norm.empty())
            throw lenet::Error(lenet::ErrorKind::Usage, "--input-norm", "applies to a loaded network: give --weights");
        const lenet::Network net = opt->weights.empty()
                                       ? lenet::Network(lenet::arch_load(opt->arch.empty() ? "lenet5-1998" : opt->arch))
                                       : load_network(opt->weights, opt->arch, opt->input_norm);
        if (opt->spec) std::printf("%s", lenet::arch_to_json(net.spec()).c_str());
        else if (opt->json) print_json(net);
        else print_table(net);
    });
}
