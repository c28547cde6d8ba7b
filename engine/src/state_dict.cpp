// state_dict.cpp — an .npz state_dict into a network, whatever its key names (docs/file-formats.md).
//
// Keys that name the spec's tensors ("C1.weight", as our own .npz writes them) are loaded by name.
// Other names (PyTorch's "conv1.weight", "features.0.weight", "fc1.bias") are matched in file order
// (np.savez(**model.state_dict()) keeps the state_dict's order) to the spec's tensors in their order,
// each by shape. A shape fits when it is the same, or when it is a Linear's [O, C*H*W] for a conv
// whose kernel covers its whole input (C5 as Linear(400, 120)), or a conv's [O, C, H, W] for a full
// layer reading C@HxW. The spec's fixed tensors (RBF prototypes) may be in the file or not.
// Without an architecture every preset is tried: exactly one must fit.
#include "lenet/lenet.h"

namespace lenet {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string tensor_text(const NpyTensor& t, size_t i) {
    return "tensor " + std::to_string(i + 1) + " '" + t.name + "' " + shape_text(t.shape);
}

std::string view_text(const TensorView& v) { return "'" + v.name + "' " + shape_text(v.shape); }

// The file's shape `s` for the network's tensor `v` (a flattened Linear for a conv covering its
// input, or the reverse); `layer` is the layer the tensor belongs to.
bool fits(const std::vector<int64_t>& s, const TensorView& v, const LayerInfo& layer) {
    if (s == v.shape) return true;
    if (s.empty() || s[0] != v.shape[0]) return false;
    const size_t suffix = v.name.size() - v.name.rfind('.');
    if (suffix != 7 || v.name.compare(v.name.size() - 7, 7, ".weight") != 0) return false;
    if (layer.type == LayerType::Conv && s.size() == 2 && layer.out.h == 1 && layer.out.w == 1)
        return uint64_t(s[1]) * uint64_t(s[0]) == v.count;
    if (layer.type == LayerType::Full && s.size() == 4)
        return s[1] == layer.in.c && s[2] == layer.in.h && s[3] == layer.in.w;
    return false;
}

struct Match {
    std::vector<NpyTensor> renamed;  // the file's tensors under the network's names and shapes
    size_t      fail = size_t(-1);   // index of the first file tensor that fits nothing (size: the end)
    std::string why;                 // what went wrong there
    bool ok() const { return fail == size_t(-1); }
};

Match match(Network& net, const std::vector<NpyTensor>& file) {
    Match m;
    std::vector<TensorView> views = net.tensors();
    auto layer_of = [&](const TensorView& v) -> const LayerInfo& {
        return net.layers()[size_t(net.layer_index(v.name.substr(0, v.name.rfind('.'))))];
    };
    auto fail = [&](size_t i, std::string why) {
        m.fail = i;
        m.why = std::move(why);
        m.renamed.clear();
        return m;
    };
    bool by_name = false;
    for (const NpyTensor& t : file)
        for (const TensorView& v : views) by_name = by_name || t.name == v.name;
    std::vector<uint8_t> used(views.size(), 0);
    size_t j = 0;
    for (size_t i = 0; i < file.size(); i++) {
        const NpyTensor& t = file[i];
        if (by_name) {
            j = 0;
            while (j < views.size() && views[j].name != t.name) j++;
            if (j == views.size()) return fail(i, tensor_text(t, i) + " is not a tensor of '" + net.spec().name + "'");
            if (used[j]) return fail(i, tensor_text(t, i) + " appears twice");
        } else {
            while (j < views.size() && !views[j].trainable && !fits(t.shape, views[j], layer_of(views[j]))) j++;
            if (j == views.size())
                return fail(i, tensor_text(t, i) + " is one more than '" + net.spec().name + "' has");
        }
        if (!fits(t.shape, views[j], layer_of(views[j])))
            return fail(i, tensor_text(t, i) + " does not fit " + view_text(views[j]) + " of '" + net.spec().name +
                               "'");
        used[j] = 1;
        m.renamed.push_back({views[j].name, views[j].shape, t.data});
        j++;
    }
    for (size_t k = 0; k < views.size(); k++)
        if (views[k].trainable && !used[k])
            return fail(file.size(), "'" + net.spec().name + "' also needs " + view_text(views[k]) + ", which the " +
                                         std::to_string(file.size()) + " tensors of the file leave out");
    return m;
}

}  // namespace

void set_state_dict(Network& net, const std::vector<NpyTensor>& tensors, const std::string& where) {
    Match m = match(net, tensors);
    if (!m.ok()) throw Error(ErrorKind::Shape, where, m.why);
    set_tensors(net, m.renamed, where);
}

Network network_from_state_dict(const std::vector<NpyTensor>& tensors, const std::string& arch,
                                const std::string& where) {
    if (tensors.empty()) throw Error(ErrorKind::Shape, where, "the .npz holds no tensors");
    if (!arch.empty()) {
        Network net(arch_load(arch));
        set_state_dict(net, tensors, where);
        return net;
    }
    std::string names, winner;  // the presets that fit; the first of them
    int fit = 0;
    Match furthest;
    for (const std::string& name : arch_preset_names()) {
        Network net(arch_preset(name));
        Match m = match(net, tensors);
        if (m.ok()) {
            names += (fit++ ? " and " : "") + name;
            if (winner.empty()) winner = name;
        } else if (furthest.ok() || m.fail > furthest.fail) {
            furthest = std::move(m);
        }
    }
    if (fit == 1) return network_from_state_dict(tensors, winner, where);
    if (fit == 0)
        throw Error(ErrorKind::Shape, where,
                    "fits no built-in architecture, matched by order and shape (furthest: " + furthest.why +
                        "); describe the network in a JSON spec and give it with --arch");
    throw Error(ErrorKind::Usage, where,
                "ambiguous: the tensors fit " + names + " (an .npz holds no activations), give --arch");
}

}  // namespace lenet
