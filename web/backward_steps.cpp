// backward_steps.cpp — the strip's training steps and the h_kk histogram; see backward_steps.h.
#include "backward_steps.h"

#include <algorithm>
#include <cmath>

namespace lenet_web {

int train_step_count(const lenet::Network& net) { return int(net.layers().size()) + 2; }

int train_step_layer(const lenet::Network& net, int step) {
    const int L = int(net.layers().size());
    return step >= 1 && step <= L ? L - step : -1;
}

int train_step_of_layer(const lenet::Network& net, int layer) { return int(net.layers().size()) - layer; }

std::string train_step_link_name(const lenet::Network& net, int step) {
    if (step <= 0) return "LOSS";
    const int layer = train_step_layer(net, step);
    return layer < 0 ? "UPDATE" : net.layers()[size_t(layer)].name;
}

std::string train_step_name(const lenet::Network& net, int step) {
    const int layer = train_step_layer(net, step);
    return layer < 0 ? train_step_link_name(net, step) : net.layers()[size_t(layer)].name + "'";
}

int train_step_from_name(const lenet::Network& net, const std::string& name) {
    if (name == "LOSS") return 0;
    if (name == "UPDATE") return train_step_count(net) - 1;
    const std::string layer = !name.empty() && name.back() == '\'' ? name.substr(0, name.size() - 1) : name;
    const int i = net.layer_index(layer);
    return i < 0 ? -1 : train_step_of_layer(net, i);
}

LogHistogram log_histogram(const float* v, const uint8_t* mask, size_t n, int bins) {
    LogHistogram h;
    h.counts.assign(size_t(std::max(bins, 1)), 0);
    float lo = 0, hi = 0;
    bool any = false;
    for (size_t k = 0; k < n; ++k) {
        if (mask && !mask[k]) continue;
        ++h.total;
        if (!(v[k] > 0.0f)) {
            ++h.zeros;
            continue;
        }
        lo = any ? std::min(lo, v[k]) : v[k];
        hi = any ? std::max(hi, v[k]) : v[k];
        any = true;
    }
    if (!any) return h;
    h.lo = std::log10(double(lo));
    h.hi = std::log10(double(hi));
    const double width = (h.hi - h.lo) / double(h.counts.size());
    for (size_t k = 0; k < n; ++k) {
        if ((mask && !mask[k]) || !(v[k] > 0.0f)) continue;
        const double x = std::log10(double(v[k]));
        const int b = width > 0 ? int((x - h.lo) / width) : 0;
        h.counts[size_t(std::clamp(b, 0, int(h.counts.size()) - 1))]++;
    }
    return h;
}

}  // namespace lenet_web
