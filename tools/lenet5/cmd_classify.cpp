// cmd_classify.cpp — `lenet5 classify --weights FILE [--arch ...] IMAGE... [--json] [--raw]`: the
// predicted class of each image (PNG, PGM/PPM, BMP, JPEG), every class score, what the MNIST-style
// preprocessing did, and a one-line summary (shape, min, mean, max) of every layer's output.
//
// Preprocessing (as for MNIST, see engine/src/image.cpp): grayscale, invert a light background, crop
// to the ink, fit into 20x20 keeping the aspect ratio, centre by centre of mass in 28x28, then the
// network's input mapping (pad to 32x32; the paper's -0.1..1.175 or PyTorch's 0..1). --raw skips the
// geometric steps for images that already are MNIST digits (light ink on black, 28x28).
// Exit status 1 if any image could not be read or holds no ink (the others are still reported).
#include "commands.h"

#include <lenet/lenet.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

struct ClassifyOptions {
    std::string              weights, arch, input_norm;
    std::vector<std::string> images;
    bool                     json = false, raw = false;
};

struct LayerStats { float min = 0, max = 0, mean = 0; };

LayerStats stats(const float* v, int64_t n) {
    LayerStats s;
    if (n <= 0) return s;
    double sum = 0;
    s.min = s.max = v[0];
    for (int64_t i = 0; i < n; ++i) {
        s.min = std::min(s.min, v[i]);
        s.max = std::max(s.max, v[i]);
        sum += v[i];
    }
    s.mean = float(sum / double(n));
    return s;
}

void run_classify(const ClassifyOptions& o) {
    const lenet::Network net = load_network(o.weights, o.arch, o.input_norm);
    const bool rbf = net.spec().layers.back().type == lenet::LayerType::Rbf;
    lenet::Workspace ws(net);
    std::vector<float> x(size_t(net.input_shape().size()));
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    int failures = 0;

    for (const std::string& path : o.images) {
        nlohmann::ordered_json r;
        r["image"] = path;
        try {
            std::vector<uint8_t> digit;
            int rows = 28, cols = 28;
            lenet::Preprocessed pre;
            if (o.raw) {
                lenet::GrayImage img = lenet::load_image(path);
                digit = img.pixels;
                rows = img.h;
                cols = img.w;
            } else {
                pre = lenet::preprocess_image_file(path);
                if (pre.empty) throw lenet::Error(lenet::ErrorKind::Value, path, "no ink found (a blank image?)");
                digit = pre.mnist28;
            }
            lenet::prepare_input(net.spec(), digit.data(), rows, cols, x.data());
            const lenet::Prediction p = net.predict(ws, x.data());
            r["predicted"] = p.label;
            r["score_kind"] = rbf ? "rbf_distance" : "probability";
            r["scores"] = p.scores;
            if (!o.raw) {
                r["preprocess"] = {{"size", {pre.gray_w, pre.gray_h}},
                                   {"inverted", pre.inverted},
                                   {"crop", {pre.crop_x, pre.crop_y, pre.crop_w, pre.crop_h}},
                                   {"fit", {pre.fit_w, pre.fit_h}},
                                   {"shift", {pre.shift_x, pre.shift_y}}};
            }
            nlohmann::ordered_json layers = nlohmann::ordered_json::array();
            for (size_t i = 0; i < net.layers().size(); ++i) {
                const lenet::LayerInfo& L = net.layers()[i];
                LayerStats s = stats(ws.out(int(i)), L.out.size());
                layers.push_back({{"name", L.name}, {"shape", lenet::shape_str(L.out)},
                                  {"min", s.min}, {"mean", s.mean}, {"max", s.max}});
            }
            r["layers"] = layers;

            if (!o.json) {
                std::printf("%s: %d", path.c_str(), p.label);
                if (!o.raw)
                    std::printf("   (%dx%d image%s, ink box %dx%d at %d,%d, fitted %dx%d, shifted %+d,%+d)",
                                pre.gray_w, pre.gray_h, pre.inverted ? ", inverted" : "", pre.crop_w, pre.crop_h,
                                pre.crop_x, pre.crop_y, pre.fit_w, pre.fit_h, pre.shift_x, pre.shift_y);
                std::printf("\n  %s:", rbf ? "RBF distances (smallest wins)" : "probabilities");
                for (size_t c = 0; c < p.scores.size(); ++c) std::printf(" %zu:%.4g", c, double(p.scores[c]));
                std::printf("\n");
                for (const auto& l : layers)
                    std::printf("  %-8s %-10s min %9.4f  mean %9.4f  max %9.4f\n",
                                l["name"].get<std::string>().c_str(), l["shape"].get<std::string>().c_str(),
                                double(l["min"].get<float>()), double(l["mean"].get<float>()),
                                double(l["max"].get<float>()));
            }
        } catch (const lenet::Error& e) {
            ++failures;
            r["error"] = e.what();
            if (!o.json) std::fprintf(stderr, "lenet5: error: %s\n", e.what());
        }
        results.push_back(r);
    }
    if (o.json) {
        nlohmann::ordered_json j;
        j["weights"] = o.weights;
        j["arch"] = net.spec().name;
        j["results"] = results;
        std::printf("%s\n", j.dump(2).c_str());
    }
    if (failures) throw CLI::RuntimeError(1);
}

}  // namespace

void register_classify(CLI::App& app) {
    auto o = std::make_shared<ClassifyOptions>();
    CLI::App* c = app.add_subcommand("classify", "Classify digit images (PNG, PGM, BMP, JPEG) with MNIST-style "
                                                 "preprocessing; print scores and per-layer summaries");
    c->add_option("--weights,-w", o->weights, kWeightsHelp)->required();
    c->add_option("--arch,-a", o->arch, "Architecture for an .npz file (preset name or JSON spec)");
    add_input_norm_option(c, o->input_norm);
    c->add_option("images", o->images, "Image files")->required();
    c->add_flag("--json", o->json, "Print JSON {weights, arch, results: [{image, predicted, scores, preprocess, layers}]}");
    c->add_flag("--raw", o->raw, "No preprocessing: the image is already an MNIST digit (light ink on black)");
    c->callback([o] { run_classify(*o); });
}
