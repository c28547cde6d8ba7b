// cmd_top_digits.cpp — `lenet5 top-digits --weights FILE [--arch ...] --layer NAME --map M [--y Y --x X]
// [--count 9] [--subset 2000] [--data DIR] [--dataset mnist|fashion] [--split test|train] [--json]`:
// what excites a unit. The digits among the first --subset of the data set whose output at one unit
// (layer, map, y, x) is the highest, highest first, with their labels and activations: the same
// search (lenet::top_activations) as the visualizer's "What excites a unit".
//
// --json prints {"weights", "arch", "dataset", "layer", "map", "y", "x", "subset", "indices",
// "labels", "activations", "pre"}: the outputs ranked, highest first, equal outputs (a saturated tanh)
// by the pre-activation.
#include "commands.h"

#include <lenet/lenet.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace {

struct TopDigitsOptions {
    std::string weights, arch, input_norm, data, dataset = "mnist", split = "test", layer;
    int         map = 0, y = 0, x = 0, count = 9, subset = 2000;
    bool        json = false;
};

void run_top_digits(const TopDigitsOptions& o) {
    if (o.dataset != "mnist" && o.dataset != "fashion")
        throw lenet::Error(lenet::ErrorKind::Usage, "--dataset", "expected mnist or fashion, got '" + o.dataset + "'");
    if (o.split != "test" && o.split != "train")
        throw lenet::Error(lenet::ErrorKind::Usage, "--split", "expected test or train, got '" + o.split + "'");
    if (o.subset < 1) throw lenet::Error(lenet::ErrorKind::Usage, "--subset", "must be >= 1");

    const lenet::Network net = load_network(o.weights, o.arch, o.input_norm);
    const lenet::UnitRef unit = lenet::unit_ref(net, o.layer, o.map, o.y, o.x);
    const std::string dir = o.data.empty() ? lenet::default_data_dir(o.dataset) : o.data;
    const lenet::Dataset ds = lenet::load_dataset_dir(dir, o.split, o.subset, o.dataset);
    const lenet::TopActivations top = lenet::top_activations(net, ds, unit, o.count, o.subset);

    if (o.json) {
        nlohmann::ordered_json j;
        j["weights"] = o.weights;
        j["arch"] = net.spec().name;
        j["dataset"] = ds.name;
        j["layer"] = o.layer;
        j["map"] = o.map;
        j["y"] = o.y;
        j["x"] = o.x;
        j["subset"] = o.subset;
        j["indices"] = top.indices;
        nlohmann::ordered_json labels = nlohmann::ordered_json::array();
        for (int i : top.indices) labels.push_back(int(ds.labels[size_t(i)]));
        j["labels"] = labels;
        j["activations"] = top.activations;
        j["pre"] = top.pre;
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    const lenet::Shape s = net.layers()[size_t(unit.layer)].out;
    std::printf("Weights: %s (architecture %s)\n", o.weights.c_str(), net.spec().name.c_str());
    std::printf("Unit:    %s map %d", o.layer.c_str(), o.map);
    if (s.h > 1 || s.w > 1) std::printf(", y %d, x %d", o.y, o.x);
    std::printf(" (of %s)\n", lenet::shape_str(s).c_str());
    std::printf("Data:    the first %s %s %s images\n\n", with_commas(uint64_t(o.subset)).c_str(), ds.name.c_str(),
                o.split.c_str());
    std::printf("rank   index  activation  pre-activation  label\n");
    for (size_t r = 0; r < top.indices.size(); ++r) {
        const int i = top.indices[r], label = ds.labels[size_t(i)];
        const std::string name = label < int(ds.class_names.size()) ? ds.class_names[size_t(label)] : "";
        std::printf("%4zu  %6d  %10.6f  %14.6f  %d%s\n", r + 1, i, double(top.activations[r]), double(top.pre[r]), label,
                    name.empty() || name == std::to_string(label) ? "" : (" " + name).c_str());
    }
}

}  // namespace

void register_top_digits(CLI::App& app) {
    auto o = std::make_shared<TopDigitsOptions>();
    CLI::App* c = app.add_subcommand("top-digits", "What excites a unit: the digits of the data set that drive one "
                                                   "unit's output highest");
    c->add_option("--weights,-w", o->weights, kWeightsHelp)->required();
    c->add_option("--arch,-a", o->arch, "Architecture for an .npz file (preset name or JSON spec)");
    add_input_norm_option(c, o->input_norm);
    c->add_option("--layer,-l", o->layer, "Layer name, e.g. C1, C3, C5, F6")->required();
    c->add_option("--map,-m", o->map, "Feature map (or the unit of a vector layer such as C5, F6)")->required();
    c->add_option("--y", o->y, "Row in the map (0 for a vector layer)")->capture_default_str();
    c->add_option("--x", o->x, "Column in the map (0 for a vector layer)")->capture_default_str();
    c->add_option("--count,-k", o->count, "How many digits (1..1000)")->capture_default_str();
    c->add_option("--subset,-n", o->subset, "Search the first N digits of the data set")->capture_default_str();
    c->add_option("--data", o->data, "Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (default as for "
                                     "`lenet5 eval`)");
    c->add_option("--dataset", o->dataset, "mnist or fashion (class names and default folder)")->capture_default_str();
    c->add_option("--split", o->split, "test or train")->capture_default_str();
    c->add_flag("--json", o->json, "Print JSON {weights, arch, dataset, layer, map, y, x, subset, indices, labels, "
                                   "activations, pre}");
    c->callback([o] { run_top_digits(*o); });
}
