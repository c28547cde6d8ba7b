// top_units.cpp — what excites a unit: the samples of a data set whose output at one unit is the
// highest (the classic way to see what a feature map detects). Each sample runs the layers up to
// the unit's and no further; the search can be stepped a slice at a time for a UI.
#include "lenet/lenet.h"

#include <algorithm>
#include <numeric>

namespace lenet {

UnitRef unit_ref(const Network& net, const std::string& layer, int map, int y, int x) {
    UnitRef u;
    u.layer = net.layer_index(layer);
    if (u.layer < 0) {
        std::string names;
        for (const LayerInfo& L : net.layers()) names += (names.empty() ? "" : ", ") + L.name;
        throw Error(ErrorKind::Usage, "layer", "no layer '" + layer + "' in " + net.spec().name + " (" + names + ")");
    }
    const Shape s = net.layers()[size_t(u.layer)].out;
    if (map < 0 || map >= s.c || y < 0 || y >= s.h || x < 0 || x >= s.w)
        throw Error(ErrorKind::Usage, "unit",
                    "no unit (map " + std::to_string(map) + ", y " + std::to_string(y) + ", x " + std::to_string(x) +
                        ") in " + layer + " " + shape_str(s) + ": map 0.." + std::to_string(s.c - 1) + ", y 0.." +
                        std::to_string(s.h - 1) + ", x 0.." + std::to_string(s.w - 1));
    u.map = map;
    u.y = y;
    u.x = x;
    return u;
}

TopActivationSearch::TopActivationSearch(const Network& net, const Dataset& data, const UnitRef& unit, int count,
                                         int subset)
    : net_(&net), data_(&data), unit_(unit), ws_(net) {
    if (unit.layer < 0 || unit.layer >= int(net.layers().size()))
        throw Error(ErrorKind::Usage, "unit", "layer index " + std::to_string(unit.layer) + " is outside 0.." +
                                                  std::to_string(net.layers().size() - 1));
    const LayerInfo& L = net.layers()[size_t(unit.layer)];
    unit_ref(net, L.name, unit.map, unit.y, unit.x);  // checks the position
    if (data.count <= 0) throw Error(ErrorKind::Usage, "subset", "the data set is empty");
    if (subset == -1) subset = data.count;
    if (subset < 1 || subset > data.count)
        throw Error(ErrorKind::Usage, "subset", std::to_string(subset) + " is outside 1.." + std::to_string(data.count) +
                                                    " (the data set's size)");
    if (count < 1 || count > 1000)
        throw Error(ErrorKind::Usage, "count", std::to_string(count) + " is outside 1..1000");
    offset_ = (size_t(unit.map) * size_t(L.out.h) + size_t(unit.y)) * size_t(L.out.w) + size_t(unit.x);
    count_ = std::min(count, subset);
    total_ = subset;
    x_.assign(size_t(net.input_shape().size()), 0.0f);
    values_.reserve(size_t(subset));
    pres_.reserve(size_t(subset));
}

bool TopActivationSearch::step(int n) {
    for (int k = 0; k < n && done_ < total_; ++k, ++done_) {
        prepare_input(net_->spec(), data_->image(done_), data_->rows, data_->cols, x_.data());
        net_->set_input(ws_, x_.data());
        for (int i = 0; i <= unit_.layer; ++i) net_->forward_layer(ws_, i);
        values_.push_back(ws_.out(unit_.layer)[offset_]);
        pres_.push_back(ws_.pre(unit_.layer)[offset_]);
    }
    return finished();
}

TopActivations TopActivationSearch::result() const {
    std::vector<int> order(values_.size());
    std::iota(order.begin(), order.end(), 0);
    const size_t k = std::min(size_t(count_), order.size());
    std::partial_sort(order.begin(), order.begin() + long(k), order.end(), [&](int a, int b) {
        const float va = values_[size_t(a)], vb = values_[size_t(b)], pa = pres_[size_t(a)], pb = pres_[size_t(b)];
        return va > vb || (va == vb && (pa > pb || (pa == pb && a < b)));
    });
    TopActivations r;
    for (size_t i = 0; i < k; ++i) {
        r.indices.push_back(order[i]);
        r.activations.push_back(values_[size_t(order[i])]);
        r.pre.push_back(pres_[size_t(order[i])]);
    }
    return r;
}

TopActivations top_activations(const Network& net, const Dataset& data, const UnitRef& unit, int count, int subset) {
    TopActivationSearch s(net, data, unit, count, subset);
    s.step(s.total());
    return s.result();
}

}  // namespace lenet
