// web/train_logic.cpp — see train_logic.h.
#include "train_logic.h"

#include <algorithm>
#include <cmath>

namespace lenet_web {

int slice_samples(double left_ms, double ms_per_sample, int batch, int cap) {
    batch = std::max(1, batch);
    cap = std::max(batch, cap - cap % batch);
    if (!(ms_per_sample > 0.0) || !(left_ms > 0.0)) return batch;
    const double fit = std::floor(left_ms / ms_per_sample);
    const int n = fit >= double(cap) ? cap : int(fit);
    return std::max(batch, n - n % batch);
}

std::vector<int> spread_indices(int count, int n) {
    std::vector<int> out;
    if (count <= 0 || n <= 0) return out;
    n = std::min(n, count);
    out.reserve(size_t(n));
    for (int i = 0; i < n; ++i) out.push_back(int(int64_t(i) * count / n));
    return out;
}

Series::Series(size_t capacity) : capacity_(std::max<size_t>(2, capacity + capacity % 2)) {}

void Series::push(double x, float y) {
    if (ys_.size() >= capacity_) {
        const size_t half = ys_.size() / 2;
        for (size_t i = 0; i < half; ++i) {
            xs_[i] = xs_[2 * i + 1];
            ys_[i] = 0.5f * (ys_[2 * i] + ys_[2 * i + 1]);
        }
        xs_.resize(half);
        ys_.resize(half);
    }
    xs_.push_back(x);
    ys_.push_back(y);
}

void Series::clear() {
    xs_.clear();
    ys_.clear();
}

}  // namespace lenet_web
