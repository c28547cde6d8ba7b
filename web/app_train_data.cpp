// web/app_train_data.cpp — the data live training uses: the training set of the current data set
// (data/<dataset>/train-{images-idx3,labels-idx1}-ubyte in the asset folder: on the page an
// on-demand download, fetched the first time training needs it; on the desktop files on disk), read
// a slice per frame once they are there, and the fixed held-out subset of the test set that the
// error plot measures.
#include "app.h"

namespace {

const char* kFiles[2] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
constexpr int kHeldOut = 1000;  // test digits in the held-out subset
constexpr int kSlice = 500;     // images read per IdxLoader step (392 KB of MNIST)

std::string file_path(const std::string& dataset, int i) { return "data/" + dataset + "/" + kFiles[i]; }

std::string title(const std::string& dataset) { return dataset == "fashion" ? "Fashion-MNIST" : "MNIST"; }

}  // namespace

bool train_data_ready(AppState& app) {
    TrainData& d = app.train.data;
    const std::string& ds = app.dataset;
    if (d.set.count > 0 && d.set.name == ds) return true;
    if (d.wanted != ds) {
        d.wanted = ds;
        d.error.clear();
        d.progress = 0;
        d.loader.reset();
    }
    if (!d.error.empty()) return false;  // until Retry
    float progress = 0;
    int ready = 0;
    for (int i = 0; i < 2; ++i) {
        const AssetStatus s = platform_asset(app.config, file_path(ds, i));
        if (s.state == AssetState::Absent) {
            d.error = "this build has no " + title(ds) + " training set (" + file_path(ds, i) + ")";
            return false;
        }
        if (s.state == AssetState::Failed) {
            d.error = "the " + title(ds) + " training set could not be downloaded: " + s.error;
            return false;
        }
        if (s.state == AssetState::Ready) ready++;
        else platform_asset_request(file_path(ds, i));
        // The images are 784 times the labels: they are the progress.
        if (i == 0) progress = s.state == AssetState::Ready ? 1.0f : s.progress;
    }
    d.progress = progress;
    if (ready < 2) return false;
    try {
        // Read within a time budget per frame: MNIST's 47 MB in one go would be one long frame.
        const double t0 = now_ms();
        if (!d.loader)
            d.loader = std::make_unique<lenet::IdxLoader>(app.config.asset_dir + "/" + file_path(ds, 0),
                                                          app.config.asset_dir + "/" + file_path(ds, 1));
        while (!d.loader->step(kSlice))
            if (now_ms() - t0 >= d.budget_ms) return false;
        lenet::Dataset set = d.loader->take();
        d.loader.reset();
        set.name = ds;
        set.class_names = lenet::class_names(ds);
        app.train.trainer.reset();  // it refers to the training set being replaced
        d.set = std::move(set);
        d.wanted.clear();
        return true;
    } catch (const lenet::Error& e) {
        d.loader.reset();
        d.error = "the " + title(ds) + " training set is damaged: " + e.what();
        return false;
    }
}

void train_data_retry(AppState& app) {
    TrainData& d = app.train.data;
    d.error.clear();
    d.progress = 0;
    d.loader.reset();
    for (int i = 0; i < 2; ++i) platform_asset_reload(file_path(app.dataset, i));
}

void train_held_out_subset(AppState& app) {
    HeldOut& h = app.train.held;
    if (!app.test_full || (h.subset.count > 0 && h.subset.name == app.dataset)) return;
    if (h.eval && !h.eval_full) h.eval.reset();  // it refers to the subset being replaced
    lenet::Dataset s;
    s.name = app.dataset;
    s.rows = app.test.rows;
    s.cols = app.test.cols;
    s.class_names = app.test.class_names;
    const size_t px = size_t(s.rows) * size_t(s.cols);
    for (int i : lenet_web::spread_indices(app.test.count, kHeldOut)) {
        s.pixels.insert(s.pixels.end(), app.test.image(i), app.test.image(i) + px);
        s.labels.push_back(app.test.labels[size_t(i)]);
    }
    s.count = int(s.labels.size());
    h.subset = std::move(s);
}
