// web/app_data.cpp — the app's data as it arrives. On the desktop every file is on disk at once; the
// page starts with the first slice of the MNIST test set and the default network's weights, and the
// rest streams in (platform_asset in web/platform.h). Here: which copy of a test set to load, and,
// once a frame, taking in what has arrived: the whole test set, a data set or weights file chosen
// while it was still downloading, and a deep link that waited for them.
#include "app.h"
#include "hash_parse.h"

namespace {

const char* kImages = "t10k-images-idx3-ubyte";
const char* kLabels = "t10k-labels-idx1-ubyte";

std::string full_dir(const std::string& dataset) { return "data/" + dataset; }
std::string first_dir(const std::string& dataset) { return "data/" + dataset + "/first"; }

// The state of a test set's two files in folder dir (the worse of the two).
AssetStatus folder_status(const AppState& app, const std::string& dir) {
    AssetStatus a = platform_asset(app.config, dir + "/" + kImages);
    const AssetStatus b = platform_asset(app.config, dir + "/" + kLabels);
    if (b.state != AssetState::Ready && a.state == AssetState::Ready) return b;
    return a;
}

std::string percent(float progress) { return std::to_string(int(progress * 100.0f)) + "%"; }

std::string dataset_title(const std::string& dataset) {
    return dataset == "fashion" ? "Fashion-MNIST" : "MNIST";
}

}  // namespace

AssetStatus full_test_set_status(const AppState& app, const std::string& dataset) {
    return folder_status(app, full_dir(dataset));
}

lenet::Dataset load_test_set(AppState& app, const std::string& dataset, bool* full) {
    const AssetStatus whole = full_test_set_status(app, dataset);
    std::string dir = full_dir(dataset);
    *full = whole.state == AssetState::Ready || whole.state == AssetState::Absent;  // Absent: the load names the file
    if (!*full) {
        platform_asset_request(dir + "/" + kImages);
        platform_asset_request(dir + "/" + kLabels);
        if (folder_status(app, first_dir(dataset)).state != AssetState::Ready)
            throw lenet::Error(lenet::ErrorKind::Io, dir, dataset_title(dataset) + " test set still downloading (" +
                                                              percent(whole.progress) + ")");
        dir = first_dir(dataset);
    }
    return lenet::load_dataset_dir(app.config.asset_dir + "/" + dir, "test", -1, dataset);
}

bool test_set_waiting(const AppState& app, std::string* why) {
    if (app.test_full) return false;
    const AssetStatus s = full_test_set_status(app, app.dataset);
    if (why)
        *why = s.state == AssetState::Failed
                   ? "needs the full test set, which could not be downloaded (" + s.error + ")"
                   : "needs the full test set, " + fmt_int(app.test.count) + " digits so far (downloading: " +
                         percent(s.progress) + ")";
    return true;
}

bool weights_arrived(AppState& app, const WeightsFile& w) {
    const std::string rel = w.path.substr(app.config.asset_dir.size() + 1);
    const AssetStatus s = platform_asset(app.config, rel);
    if (s.state != AssetState::Ready) platform_asset_request(rel);
    return s.state == AssetState::Ready || s.state == AssetState::Absent;
}

bool hash_waits_for_data(AppState& app, const std::string& hash, std::string* why) {
    const lenet_web::HashState h = lenet_web::parse_hash(hash);
    const std::string ds = h.has_data ? h.data : app.dataset;
    if (ds != "mnist" && ds != "fashion") return false;  // apply_hash says so
    if (ds == app.dataset && (app.test_full || !h.has_sample || h.sample < app.test.count)) return false;
    const AssetStatus s = full_test_set_status(app, ds);
    if (s.state == AssetState::Ready || s.state == AssetState::Absent) return false;
    platform_asset_request(full_dir(ds) + "/" + kImages);
    platform_asset_request(full_dir(ds) + "/" + kLabels);
    *why = s.state == AssetState::Failed ? dataset_title(ds) + " could not be downloaded: " + s.error
                                         : "downloading the " + dataset_title(ds) + " test set: " + percent(s.progress);
    return true;
}

namespace {

void take_arrivals(AppState& app) {
    app.waiting.clear();
    // The whole test set of the current data set, replacing its first slice.
    if (!app.test_full && app.test.count > 0 &&
        full_test_set_status(app, app.dataset).state == AssetState::Ready) {
        bool full = false;
        lenet::Dataset d = load_test_set(app, app.dataset, &full);
        app.test = std::move(d);
        app.test_full = full;
        app.test_pred.assign(size_t(app.test.count), int8_t(-1));
        if (app.source == InputSource::Test) set_sample(app, app.sample);
    }
    if (!app.pending_dataset.empty()) {
        const std::string ds = app.pending_dataset;
        const AssetStatus s = full_test_set_status(app, ds);
        if (s.state == AssetState::Ready) {
            app.pending_dataset.clear();
            select_dataset(app, ds);
        } else if (s.state == AssetState::Failed) {
            app.waiting = dataset_title(ds) + " could not be downloaded: " + s.error;
        } else {
            app.waiting = "Downloading the " + dataset_title(ds) + " test set: " + percent(s.progress);
        }
    }
    if (!app.pending_weights.empty()) {
        for (const WeightsFile& w : app.weights_files)
            if (w.file == app.pending_weights && w.arch == app.net->spec().name && weights_arrived(app, w)) {
                app.pending_weights.clear();
                select_weights(app, w.file);
                break;
            }
        if (!app.pending_weights.empty()) app.waiting = "Downloading the weights " + app.pending_weights;
    }
    if (!app.pending_hash.empty()) {
        std::string why;
        if (!hash_waits_for_data(app, app.pending_hash, &why)) {
            const std::string hash = app.pending_hash;
            app.pending_hash.clear();
            apply_hash(app, hash);
        } else {
            app.waiting = "Opening the link: " + why;
        }
    }
}

}  // namespace

void update_data(AppState& app) {
    try {
        take_arrivals(app);
    } catch (const lenet::Error& e) {
        app.notices.push_back(e.what());
    }
}
