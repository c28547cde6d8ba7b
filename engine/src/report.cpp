// report.cpp — the full report of a test set: confusion matrix, misclassified digits with their
// runner-ups (the paper's Fig. 8), and the rejection curve of Section III.C, where the least
// confident digits (the smallest gap between the two best scores) are rejected first.
//
// ReportEvaluator predicts with predict_batch, a block of digits per step() call, so the app runs
// it a slice per frame and the CLI in one go; both read the same EvalReport.
#include "lenet/lenet.h"

#include <algorithm>
#include <cmath>

namespace lenet {

Ranking rank_outputs(const Network& net, const float* y) {
    const int n = int(net.output_shape().size());
    Ranking r;
    r.best = net.best_label(y);
    if (n < 2) return r;
    const bool smaller = net.outputs_are_penalties();
    for (int k = 0; k < n; ++k) {
        if (k == r.best) continue;
        if (r.runner_up < 0 || (smaller ? y[k] < y[r.runner_up] : y[k] > y[r.runner_up])) r.runner_up = k;
    }
    const double a = y[r.best], b = y[r.runner_up];
    double gap = smaller ? b - a : a - b;
    if (!smaller && net.spec().loss == LossKind::Xent) {
        // Softmax probabilities, as Network::prediction gives them: p_best - p_second.
        double z = 0.0;
        for (int k = 0; k < n; ++k) z += std::exp(double(y[k]) - a);
        gap = (1.0 - std::exp(b - a)) / z;
    }
    r.margin = float(gap);
    return r;
}

std::vector<double> rejection_fractions() {
    std::vector<double> f;
    for (int k = 0; k <= 40; ++k) f.push_back(k * 0.0025);  // 0 .. 10%
    for (int k = 11; k <= 50; ++k) f.push_back(k * 0.01);   // 11% .. 50%
    return f;
}

void EvalReport::rank() {
    if (margin.size() != size_t(count) || predicted.size() != size_t(count) || labels.size() != size_t(count))
        throw Error(ErrorKind::Usage, "EvalReport::rank", "labels, predicted and margin need count entries");
    by_confidence.resize(size_t(count));
    for (int i = 0; i < count; ++i) by_confidence[size_t(i)] = i;
    std::stable_sort(by_confidence.begin(), by_confidence.end(),
                     [this](int a, int b) { return margin[size_t(a)] < margin[size_t(b)]; });
    ranked = true;
}

RejectionPoint EvalReport::rejection_at(int rejected) const {
    if (rejected < 0 || rejected > count)
        throw Error(ErrorKind::Usage, "rejection_at", "rejected must be 0 .. " + std::to_string(count));
    if (!ranked)
        throw Error(ErrorKind::Usage, "rejection_at", "the evaluation has not finished");
    int errors_rejected = 0;
    for (int k = 0; k < rejected; ++k) {
        const size_t p = size_t(by_confidence[size_t(k)]);
        errors_rejected += predicted[p] != labels[p];
    }
    RejectionPoint r;
    r.rejected = count ? double(rejected) / count : 0.0;
    r.error = rejected < count ? double(errors - errors_rejected) / (count - rejected) : 0.0;
    return r;
}

std::vector<RejectionPoint> EvalReport::rejection_curve() const {
    if (!ranked)
        throw Error(ErrorKind::Usage, "rejection_curve", "the evaluation has not finished");
    std::vector<RejectionPoint> curve;
    int k = 0, errors_rejected = 0;  // the first k of by_confidence, and how many of them are errors
    for (double f : rejection_fractions()) {
        const int want = int(std::lround(f * count));
        for (; k < want; ++k) {
            const size_t p = size_t(by_confidence[size_t(k)]);
            errors_rejected += predicted[p] != labels[p];
        }
        RejectionPoint r;
        r.rejected = count ? double(k) / count : 0.0;
        r.error = k < count ? double(errors - errors_rejected) / (count - k) : 0.0;
        curve.push_back(r);
    }
    return curve;
}

RejectionPoint EvalReport::rejection_for_error(double error) const {
    if (!(error >= 0.0)) throw Error(ErrorKind::Usage, "rejection_for_error", "the error must be >= 0");
    if (!ranked)
        throw Error(ErrorKind::Usage, "rejection_for_error", "the evaluation has not finished");
    int errors_rejected = 0;
    for (int k = 0; k <= count; ++k) {
        // The error of the kept digits, compared without dividing: (errors - e_k) <= error * kept.
        const int kept = count - k;
        if (kept == 0 || double(errors - errors_rejected) <= error * kept) {
            RejectionPoint r;
            r.rejected = count ? double(k) / count : 0.0;
            r.error = kept ? double(errors - errors_rejected) / kept : 0.0;
            return r;
        }
        const size_t p = size_t(by_confidence[size_t(k)]);
        errors_rejected += predicted[p] != labels[p];
    }
    return RejectionPoint{};  // not reached: k == count always qualifies
}

ReportEvaluator::ReportEvaluator(const Network& net, const Dataset& data, int max_count, int first, int threads)
    : net_(&net), data_(&data), threads_(std::max(1, threads)) {
    check_data_fits(net, data, "evaluation data");
    if (first < 0 || first > data.count)
        throw Error(ErrorKind::Usage, "ReportEvaluator",
                    "first sample " + std::to_string(first) + " is outside the data set");
    first_ = first;
    total_ = max_count < 0 ? data.count - first : std::min(max_count, data.count - first);
    EvalReport& r = report_;
    r.classes = int(net.output_shape().size());
    r.confusion.assign(size_t(r.classes) * size_t(r.classes), 0);
    r.labels.reserve(size_t(total_));
    r.predicted.reserve(size_t(total_));
    r.runner_up.reserve(size_t(total_));
    r.margin.reserve(size_t(total_));
    if (total_ == 0) r.rank();
}


bool ReportEvaluator::step(int n) {
    if (n < 0) throw Error(ErrorKind::Usage, "ReportEvaluator::step", "n must be >= 0");
    const size_t in = size_t(net_->input_shape().size()), out = size_t(net_->output_shape().size());
    constexpr int kBlock = 256;  // digits prepared and predicted at a time (1 MB of 32x32 inputs)
    const Dataset& d = *data_;
    EvalReport& r = report_;
    std::vector<int> labels;
    for (int left = std::min(n, total_ - done_); left > 0;) {
        const int m = std::min(kBlock, left);
        x_.resize(size_t(m) * in);
        y_.resize(size_t(m) * out);
        labels.resize(size_t(m));
        for (int i = 0; i < m; ++i)
            prepare_input(net_->spec(), d.image(first_ + done_ + i), d.rows, d.cols, x_.data() + size_t(i) * in);
        predict_batch(*net_, x_.data(), m, labels.data(), y_.data(), threads_);
        for (int i = 0; i < m; ++i) {
            const int index = first_ + done_ + i, label = d.labels[size_t(index)];
            const Ranking k = rank_outputs(*net_, y_.data() + size_t(i) * out);
            r.labels.push_back(label);
            r.predicted.push_back(k.best);
            r.runner_up.push_back(k.runner_up);
            r.margin.push_back(k.margin);
            r.confusion[size_t(label) * size_t(r.classes) + size_t(k.best)]++;
            r.count++;
            if (k.best != label) {
                r.errors++;
                r.misclassified.push_back(index);
            }
        }
        done_ += m;
        left -= m;
        if (finished()) r.rank();
    }
    return finished();
}

EvalReport evaluate_report(const Network& net, const Dataset& data, int max_count, int threads) {
    ReportEvaluator ev(net, data, max_count, 0, threads);
    while (!ev.step(1 << 20)) {}
    return ev.report();
}

}  // namespace lenet
