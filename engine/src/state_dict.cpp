// state_dict.cpp — an .npz state_dict into a network, whatever its key names (docs/file-formats.md).
//
// Keys that name the spec's tensors ("C1.weight", as our own .npz writes them) are loaded by name.
// Other names (PyTorch's "conv1.weight", "features.0.weight", "fc1.bias") are matched in file order
// (np.savez(**model.state_dict()) keeps the state_dict's order) to the spec's tensors in their order,
// each by shape. A shape fits when it is the same, or when it is a Linear's [O, C*H*W] for a conv
// whose kernel covers its whole input (C5 as Linear(400, 120)), or a conv's [O, C, H, W] for a full
// layer reading C@HxW. The spec's fixed tensors (RBF prototypes) may be in the file or not.
// Without an architecture every preset is tried: exactly one must fit.
// The page links this file: matching builds no strings, the one error message is made at the end.
#include "lenet/lenet.h"

#include <cstdio>
#include <cstring>

namespace lenet {

namespace {

// Does the file's shape `s` fit the network's tensor `v` of layer `L`?
bool fits(const std::vector<int64_t>& s, const TensorView& v, const LayerInfo& L) {
    if (s == v.shape) return true;
    if (s.empty() || s[0] != v.shape[0] || v.shape.size() < 2 || !v.trainable) return false;  // only weights
    if (L.type == LayerType::Conv && s.size() == 2 && L.out.h == 1 && L.out.w == 1)
        return uint64_t(s[1]) * uint64_t(s[0]) == v.count;
    if (L.type == LayerType::Full && s.size() == 4) return s[1] == L.in.c && s[2] == L.in.h && s[3] == L.in.w;
    return false;
}

enum class Why { None, NotInNet, Twice, OneMore, NoFit, Missing };

struct Match {
    std::vector<size_t> target;      // per file tensor: the index of the network tensor it fills
    size_t fail = size_t(-1);        // the file tensor where matching stopped (file size: at the end)
    Why    why = Why::None;
    size_t view = 0;                 // the network tensor concerned (NoFit, Missing)
    bool ok() const { return why == Why::None; }
};

Match match(const Network& net, const std::vector<TensorView>& views, const std::vector<NpyTensor>& file) {
    Match m;
    std::vector<const LayerInfo*> layer(views.size());  // the layer each tensor belongs to ("C1" of "C1.bias")
    for (size_t k = 0; k < views.size(); k++)
        for (const LayerInfo& L : net.layers())
            if (views[k].name.size() > L.name.size() && views[k].name[L.name.size()] == '.' &&
                views[k].name.compare(0, L.name.size(), L.name) == 0)
                layer[k] = &L;
    bool by_name = false;
    for (const NpyTensor& t : file)
        for (const TensorView& v : views) by_name = by_name || t.name == v.name;
    std::vector<uint8_t> used(views.size(), 0);
    size_t j = 0;
    for (size_t i = 0; i < file.size() && m.ok(); i++) {
        const NpyTensor& t = file[i];
        if (by_name) {
            for (j = 0; j < views.size() && views[j].name != t.name;) j++;
        } else {
            while (j < views.size() && !views[j].trainable && !fits(t.shape, views[j], *layer[j])) j++;
        }
        m.fail = i;
        m.view = j;
        if (j == views.size()) m.why = by_name ? Why::NotInNet : Why::OneMore;
        else if (used[j]) m.why = Why::Twice;
        else if (!fits(t.shape, views[j], *layer[j])) m.why = Why::NoFit;
        else {
            used[j] = 1;
            m.target.push_back(j++);
        }
    }
    for (size_t k = 0; k < views.size() && m.ok(); k++)
        if (views[k].trainable && !used[k]) {
            m.fail = file.size();
            m.view = k;
            m.why = Why::Missing;
        }
    if (m.ok()) m.fail = size_t(-1);
    return m;
}

// "[6,1,5,5]" into buf (cut short if it does not fit).
void shape_into(char (&buf)[128], const std::vector<int64_t>& shape) {
    std::snprintf(buf, sizeof buf, "[");
    for (size_t i = 0; i < shape.size(); i++) {
        const size_t at = std::strlen(buf);
        std::snprintf(buf + at, sizeof buf - at, "%s%lld", i ? "," : "", static_cast<long long>(shape[i]));
    }
    const size_t at = std::strlen(buf);
    std::snprintf(buf + at, sizeof buf - at, "]");
}

// The message for a failed match (printf, not string concatenation: this is the page's code size).
std::string why_text(const Match& m, const std::vector<TensorView>& views, const std::vector<NpyTensor>& file,
                     const std::string& arch) {
    char ts[128] = "", vs[128] = "", out[1536] = "";
    const size_t i = m.fail + 1;
    const char* t = m.fail < file.size() ? file[m.fail].name.c_str() : "";
    const char* v = m.view < views.size() ? views[m.view].name.c_str() : "";
    const char* a = arch.c_str();
    if (m.fail < file.size()) shape_into(ts, file[m.fail].shape);
    if (m.view < views.size()) shape_into(vs, views[m.view].shape);
    switch (m.why) {
        case Why::NotInNet:
            std::snprintf(out, sizeof out, "tensor %zu '%.400s' %s is not a tensor of '%.200s'", i, t, ts, a);
            break;
        case Why::Twice: std::snprintf(out, sizeof out, "tensor %zu '%.400s' %s appears twice", i, t, ts); break;
        case Why::OneMore:
            std::snprintf(out, sizeof out, "tensor %zu '%.400s' %s is one more than '%.200s' has", i, t, ts, a);
            break;
        case Why::NoFit:
            std::snprintf(out, sizeof out, "tensor %zu '%.400s' %s does not fit '%.200s' %s of '%.200s'", i, t, ts, v,
                          vs, a);
            break;
        case Why::Missing:
            std::snprintf(out, sizeof out,
                          "'%.200s' also needs '%.200s' %s, which the %zu tensors of the file leave out", a, v, vs,
                          file.size());
            break;
        case Why::None: break;
    }
    return out;
}

}  // namespace

void set_state_dict(Network& net, const std::vector<NpyTensor>& tensors, const std::string& where) {
    const std::vector<TensorView> views = net.tensors();
    const Match m = match(net, views, tensors);
    if (!m.ok()) throw Error(ErrorKind::Shape, where, why_text(m, views, tensors, net.spec().name));
    std::vector<NpyTensor> renamed(tensors.size());
    for (size_t i = 0; i < tensors.size(); i++)
        renamed[i] = {views[m.target[i]].name, views[m.target[i]].shape, tensors[i].data};
    set_tensors(net, renamed, where);
}

Network network_from_state_dict(const std::vector<NpyTensor>& tensors, const std::string& arch,
                                const std::string& where) {
    if (tensors.empty()) throw Error(ErrorKind::Shape, where, "the .npz holds no tensors");
    if (!arch.empty()) {
        Network net(arch_load(arch));
        set_state_dict(net, tensors, where);
        return net;
    }
    std::string names, winner, furthest;  // the presets that fit; the first; why the furthest failed
    int fit = 0;
    size_t furthest_at = 0;
    for (const std::string& name : arch_preset_names()) {
        Network net(arch_preset(name));
        const std::vector<TensorView> views = net.tensors();
        const Match m = match(net, views, tensors);
        if (m.ok()) {
            names += (fit++ ? " and " : "") + name;
            if (winner.empty()) winner = name;
        } else if (furthest.empty() || m.fail > furthest_at) {
            furthest = why_text(m, views, tensors, name);
            furthest_at = m.fail;
        }
    }
    if (fit == 1) return network_from_state_dict(tensors, winner, where);
    if (fit == 0)
        throw Error(ErrorKind::Shape, where,
                    "fits no built-in architecture, matched by order and shape (furthest: " + furthest +
                        "); describe the network in a JSON spec and give it with --arch");
    throw Error(ErrorKind::Usage, where,
                "ambiguous: the tensors fit " + names + " (an .npz holds no activations), give --arch");
}

}  // namespace lenet
