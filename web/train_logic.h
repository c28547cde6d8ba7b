// web/train_logic.h — the pure arithmetic behind the Train tab (no ImGui, GL or app state): how many
// samples fit in what is left of a frame's time budget, which test digits form the fixed held-out
// subset, and a plot series that keeps a whole session in a bounded number of points. Part of the
// library lenet_app_logic (web/logic.cmake); unit tests in tests/engine/test_train_logic.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lenet_web {

// Samples for the next Trainer::step call: as many as fit in left_ms at ms_per_sample (a measured
// mean; <= 0 when nothing has been measured yet, then one batch), rounded down to whole batches of
// `batch` so the minibatches stay aligned, at least one batch, at most `cap` (rounded down too).
int slice_samples(double left_ms, double ms_per_sample, int batch, int cap);

// n indices spread evenly over 0 .. count-1 (every count/n-th digit): a subset that samples the whole
// set. All of 0 .. count-1 when n >= count; empty when count or n is <= 0.
std::vector<int> spread_indices(int count, int n);

// A plot series of (x, y) points, x increasing, at most `capacity` points: when it is full, each pair
// of neighbours becomes one point (the later x, the mean y), so the whole session stays on the plot
// at half the resolution. capacity is at least 2 (even).
class Series {
public:
    explicit Series(size_t capacity = 512);
    void   push(double x, float y);
    void   clear();
    size_t size() const { return ys_.size(); }
    bool   empty() const { return ys_.empty(); }
    const std::vector<double>& xs() const { return xs_; }
    const std::vector<float>&  ys() const { return ys_; }
    float  last() const { return ys_.empty() ? 0.0f : ys_.back(); }
private:
    size_t              capacity_;
    std::vector<double> xs_;
    std::vector<float>  ys_;
};

}  // namespace lenet_web
