// cmd_gradient.cpp — `lenet5 gradient --weights FILE [--arch ...] --sample I [--label K] [--data DIR]
// [--dataset mnist|fashion] [--json]`: one digit's loss and its gradients, layer by layer: dE/d(output),
// dE/dw and dE/db of every layer, in PyTorch's layouts (conv [out, in, kh, kw] with zeros where a
// connection table has no connection, full [out, in], a subsampling coefficient [C], an output
// [C, H, W]). E is the network's own loss for one digit (cross-entropy F.cross_entropy(logits, label)
// for lenet5, the MAP criterion of eq. 9 for lenet5-1998). The digit is test-set image I (the
// t10k files of the data folder, found as `lenet5 eval` finds them); --label replaces its label.
// The web app's `gradient` command gives the same numbers for the same digit and weights.
//
// Text: the loss, then one line per tensor (name, shape, L2 norm, largest |value|). --json: {weights,
// arch, sample, label, prediction, loss, loss_kind, layers: [{name, output, weight, bias}]}, each
// tensor {name, shape, values} (null when the layer has none).
#include "commands.h"

#include <lenet/lenet.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

struct GradientOptions {
    std::string weights, arch, input_norm, data, dataset = "mnist";
    int         sample = -1, label = -1;
    bool        json = false;
};

nlohmann::ordered_json tensor_json(const lenet::GradView& v) {
    if (v.count == 0) return nullptr;
    nlohmann::ordered_json t;
    t["name"] = v.name;
    t["shape"] = v.shape;
    t["values"] = std::vector<float>(v.data, v.data + v.count);
    return t;
}

void print_tensor(const lenet::GradView& v) {
    if (v.count == 0) return;
    double sq = 0, mx = 0;
    for (size_t k = 0; k < v.count; ++k) {
        sq += double(v.data[k]) * v.data[k];
        mx = std::max(mx, std::fabs(double(v.data[k])));
    }
    std::string shape;
    for (int64_t d : v.shape) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    std::printf("  %-18s [%s]%*s norm %.6g  max|g| %.6g\n", v.name.c_str(), shape.c_str(),
                int(std::max<size_t>(0, 14 - shape.size())), "", std::sqrt(sq), mx);
}

void run_gradient(const GradientOptions& o) {
    if (o.dataset != "mnist" && o.dataset != "fashion")
        throw lenet::Error(lenet::ErrorKind::Usage, "--dataset", "expected mnist or fashion, got '" + o.dataset + "'");
    if (o.sample < 0) throw lenet::Error(lenet::ErrorKind::Usage, "--sample", "must be a test-set index >= 0");
    lenet::Network net = load_network(o.weights, o.arch, o.input_norm);
    const std::string dir = o.data.empty() ? lenet::default_data_dir(o.dataset) : o.data;
    const lenet::Dataset ds = lenet::load_dataset_dir(dir, "test", o.sample + 1, o.dataset);
    if (o.sample >= ds.count)
        throw lenet::Error(lenet::ErrorKind::Usage, "--sample",
                           std::to_string(o.sample) + " is outside the test set (0.." + std::to_string(ds.count - 1) + ")");
    const int classes = int(net.output_shape().size());
    if (o.label < -1 || o.label >= classes)
        throw lenet::Error(lenet::ErrorKind::Usage, "--label", "must be a class 0.." + std::to_string(classes - 1));
    const int label = o.label >= 0 ? o.label : ds.labels[size_t(o.sample)];

    lenet::Workspace ws(net);
    std::vector<float> x(size_t(net.input_shape().size()));
    lenet::prepare_input(net.spec(), ds.image(o.sample), ds.rows, ds.cols, x.data());
    net.forward(ws, x.data());
    const int prediction = net.prediction(ws).label;
    const float loss = net.loss(ws, label);
    std::vector<float> grad(net.params().size(), 0.0f);
    net.backward(ws, grad.data());
    const std::vector<lenet::LayerGradients> g = net.layer_gradients(ws, grad.data());

    if (o.json) {
        nlohmann::ordered_json j;
        j["weights"] = o.weights;
        j["arch"] = net.spec().name;
        j["sample"] = o.sample;
        j["label"] = label;
        j["prediction"] = prediction;
        j["loss"] = loss;
        j["loss_kind"] = lenet::loss_name(net.spec().loss);
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const lenet::LayerGradients& l : g) {
            nlohmann::ordered_json e;
            e["name"] = net.layers()[size_t(l.layer)].name;
            e["output"] = tensor_json(l.d_out);
            e["weight"] = tensor_json(l.d_weight);
            e["bias"] = tensor_json(l.d_bias);
            layers.push_back(e);
        }
        j["layers"] = layers;
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("Weights: %s (architecture %s)\n", o.weights.c_str(), net.spec().name.c_str());
    std::printf("Digit:   test image %d of %s, label %d, predicted %d\n", o.sample, ds.name.c_str(), label, prediction);
    std::printf("Loss:    %s E = %.6g\n", lenet::loss_name(net.spec().loss), double(loss));
    std::printf("Gradients dE/d(...), from the last layer back to the first:\n");
    for (auto l = g.rbegin(); l != g.rend(); ++l) {
        print_tensor(l->d_out);
        print_tensor(l->d_weight);
        print_tensor(l->d_bias);
    }
}

}  // namespace

void register_gradient(CLI::App& app) {
    auto o = std::make_shared<GradientOptions>();
    CLI::App* c = app.add_subcommand("gradient", "One test digit's loss and the gradient of every layer's output, "
                                                 "weights and biases (PyTorch layouts)");
    c->add_option("--weights,-w", o->weights, kWeightsHelp)
        ->required();
    c->add_option("--arch,-a", o->arch, "Architecture for an .npz file (preset name or JSON spec)");
    add_input_norm_option(c, o->input_norm);
    c->add_option("--sample,-s", o->sample, "Test-set index of the digit")->required();
    c->add_option("--label", o->label, "The label the loss is of (default: the digit's own)");
    c->add_option("--data", o->data, "Folder with t10k-{images-idx3,labels-idx1}-ubyte[.gz] (default: as `lenet5 eval`)");
    c->add_option("--dataset", o->dataset, "mnist or fashion (default folder)")->capture_default_str();
    c->add_flag("--json", o->json, "Print JSON {weights, arch, sample, label, prediction, loss, loss_kind, layers: "
                                   "[{name, output, weight, bias}]} with every value");
    c->callback([o] { run_gradient(*o); });
}
