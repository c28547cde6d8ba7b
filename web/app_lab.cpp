// web/app_lab.cpp — the Lab's logic (app_lab.h): the current input's untransformed original and its
// transform into the network (through recompute_all, so the stepping view and the textures follow),
// the sweep of one slider a slice per frame, the top-digits search a slice per frame, and the
// transform and top_digits commands with state().lab. The panel is panels/lab_panel.cpp.
#include "app.h"

#include <nlohmann/json.hpp>

#include <algorithm>

const LabParam kLabParam[kLabParams] = {
    {"dx", "shift x", -lenet::TransformLimits::max_shift, lenet::TransformLimits::max_shift, "%+.1f px", " px"},
    {"dy", "shift y", -lenet::TransformLimits::max_shift, lenet::TransformLimits::max_shift, "%+.1f px", " px"},
    {"scale", "scale", lenet::TransformLimits::min_scale, lenet::TransformLimits::max_scale, "%.2fx", "x"},
    {"rotate", "rotate", -lenet::TransformLimits::max_rotate, lenet::TransformLimits::max_rotate, "%+.0f deg", " deg"},
    {"shear", "shear", -lenet::TransformLimits::max_shear, lenet::TransformLimits::max_shear, "%+.2f", ""},
    {"thickness", "thickness", -lenet::TransformLimits::max_thickness, lenet::TransformLimits::max_thickness, "%+.1f px", " px"},
    {"noise", "noise", 0.0f, lenet::TransformLimits::max_noise, "%.2f", ""},
};

float& lab_param(lenet::Transform& t, int k) {
    float* f[kLabParams] = {&t.dx, &t.dy, &t.scale, &t.rotate, &t.shear, &t.thickness, &t.noise};
    return *f[k];
}

namespace {

bool same_transform(lenet::Transform a, lenet::Transform b) {
    for (int k = 0; k < kLabParams; ++k)
        if (lab_param(a, k) != lab_param(b, k)) return false;
    return a.seed == b.seed;
}

bool same_unit(const lenet::UnitRef& a, const lenet::UnitRef& b) {
    return a.layer == b.layer && a.map == b.map && a.y == b.y && a.x == b.x;
}

// A unit the Lab can rank digits for: a conv or full layer's (C1, C3, C5, F6, a softmax output).
bool unit_layer_ok(const AppState& app, int layer) {
    if (layer < 0 || layer >= int(app.net->layers().size())) return false;
    const lenet::LayerType t = app.net->layers()[size_t(layer)].type;
    return t == lenet::LayerType::Conv || t == lenet::LayerType::Full;
}

// A new input (another digit, a drawing) becomes the original, untransformed. The same digit
// prepared again (the whole test set replacing its first slice, another network) keeps the sliders'
// transform, applied to it: a link's transform survives the data arriving after it.
void sync(AppState& app) {
    LabState& l = app.lab;
    if (!l.applied.empty() && l.applied == app.input) return;
    int rows = 28, cols = 28;
    std::vector<uint8_t> original;
    if (app.source == InputSource::Test && app.test.count > 0) {
        rows = app.test.rows;
        cols = app.test.cols;
        const uint8_t* d = app.test.image(app.sample);
        original.assign(d, d + size_t(rows) * size_t(cols));
    } else {
        const bool ink = !app.pre.empty && app.pre.mnist28.size() == 28 * 28;  // as set_drawn_input reads it
        original = ink ? app.pre.mnist28 : std::vector<uint8_t>(28 * 28, 0);
    }
    bool same = !l.applied.empty() && !l.t.identity() && rows == l.rows && cols == l.cols && original == l.original;
    if (same) {  // and app.input is that digit untransformed, not something else made of it
        std::vector<float> x(app.input.size());
        lenet::prepare_input(app.net->spec(), original.data(), rows, cols, x.data());
        same = x == app.input;
    }
    if (same) {
        lab_apply(app);
        return;
    }
    l.t = lenet::Transform();
    l.rows = rows;
    l.cols = cols;
    l.original = std::move(original);
    l.pixels = l.original;
    l.applied = app.input;
    l.origin++;
}

// The transformed original, normalised, into x.
void transformed_input(const AppState& app, const lenet::Transform& t, std::vector<uint8_t>& px, float* x) {
    const LabState& l = app.lab;
    px.resize(l.original.size());
    lenet::transform_apply(t, l.original.data(), l.rows, l.cols, px.data());
    lenet::prepare_input(app.net->spec(), px.data(), l.rows, l.cols, x);
}

// The sweep of l.sweep_param with the other sliders as they are: restarted when they, the input or
// the weights change; computed budget_ms per frame on the scratch workspace.
void sweep_tick(AppState& app) {
    LabState& l = app.lab;
    const int k = l.sweep_param;
    const LabParam& p = kLabParam[k];
    lenet::Transform base = l.t;
    lab_param(base, k) = p.lo;
    if (l.sweep_for != k || l.sweep_origin != l.origin || !same_transform(base, l.sweep_base) ||
        l.sweep_weights != app.net->params()) {
        if (l.sweep_for != k) l.sweep.clear();  // another slider's sweep would be misread
        l.sweep_for = k;
        l.sweep_origin = l.origin;
        l.sweep_base = base;
        l.sweep_weights = app.net->params();
        l.next.clear();
        l.next.reserve(kSweepPoints);
    } else if (l.next.empty()) {
        return;  // done
    }
    const double t0 = now_ms();
    std::vector<uint8_t> px;
    std::vector<float> x(size_t(app.net->input_shape().size()));
    const int last = int(app.net->layers().size()) - 1;
    while (int(l.next.size()) < kSweepPoints && now_ms() - t0 < l.budget_ms) {
        lenet::Transform t = base;
        lab_param(t, k) = p.lo + (p.hi - p.lo) * float(l.next.size()) / float(kSweepPoints - 1);
        transformed_input(app, t, px, x.data());
        app.net->forward(*app.scratch, x.data());
        const lenet::Ranking r = lenet::rank_outputs(*app.net, app.scratch->out(last));
        l.next.push_back({lab_param(t, k), r.best, r.margin});
    }
    if (int(l.next.size()) == kSweepPoints) {
        l.sweep.swap(l.next);
        l.next.clear();
    }
}

void default_unit(AppState& app) {
    LabState& l = app.lab;
    l.unit = lenet::UnitRef();
    for (int i = 0; i < int(app.net->layers().size()) && l.unit.layer < 0; ++i)
        if (unit_layer_ok(app, i)) {
            const lenet::Shape s = app.net->layers()[size_t(i)].out;
            l.unit = {i, 0, s.h / 2, s.w / 2};
        }
}

void start_search(AppState& app) {
    LabState& l = app.lab;
    l.restart = false;
    l.searched = l.unit;
    l.searched_subset = l.subset;
    l.search.reset();
    l.message.clear();
    std::string why;
    if (app.test.count <= 0) {
        l.message = "No test set is loaded.";
    } else if (l.subset > app.test.count && test_set_waiting(app, &why)) {
        l.message = "The search " + why;
        l.restart = true;  // again when the whole set is in
    } else {
        l.search_net = std::make_unique<lenet::Network>(*app.net);
        l.search = std::make_unique<lenet::TopActivationSearch>(*l.search_net, app.test, l.unit, l.count,
                                                                std::min(l.subset, app.test.count));
        l.data_id = app.test.image(0);
        l.top_dataset = app.dataset;
    }
}

// The top digits: follow the traced unit, start a search when the unit or the subset changed and
// the page shows, and run it budget_ms per frame.
void top_tick(AppState& app, bool shown) {
    LabState& l = app.lab;
    const uint8_t* data = app.test.count > 0 ? app.test.image(0) : nullptr;
    if (!l.top_dataset.empty() && l.top_dataset != app.dataset) {  // its indices name another set's digits
        l.search.reset();
        l.top = lenet::TopActivations();
        l.top_dataset.clear();
        l.atlas_dirty = true;
        l.restart = true;
    }
    if (l.search && !l.search->finished() && data != l.data_id) {  // the search reads app.test: it was replaced
        l.search.reset();
        l.restart = true;
    }
    if (l.unit_net != app.net.get()) {  // another network: its first conv layer's centre, nothing found yet
        l.unit_net = app.net.get();
        default_unit(app);
        l.search.reset();
        l.top = lenet::TopActivations();
        l.searched = lenet::UnitRef();
        l.atlas_dirty = true;
    }
    if (app.view > 0 && app.unit_map >= 0) {  // a unit traced in the maps: the Lab follows it
        const int cur[4] = {app.view - 1, app.unit_map, app.unit_y, app.unit_x};
        if (!std::equal(cur, cur + 4, l.traced)) {
            std::copy(cur, cur + 4, l.traced);
            if (unit_layer_ok(app, cur[0])) l.unit = {cur[0], cur[1], cur[2], cur[3]};
        }
    }
    if (shown && l.page == 1 && (l.restart || !same_unit(l.unit, l.searched) || l.subset != l.searched_subset)) {
        try {
            start_search(app);
        } catch (const lenet::Error& e) {
            l.search.reset();
            l.message = e.what();
        }
    }
    if (l.search && !l.search->finished()) {
        const double t0 = now_ms();
        while (!l.search->finished() && now_ms() - t0 < l.budget_ms) l.search->step(4);
        if (l.search->finished()) {
            l.top = l.search->result();
            l.atlas_dirty = true;
        }
    }
}

// {x, y, w, h} (and `key`: value, when key is given), in assignments: smaller code than nested lists.
nlohmann::json rect_json(const ScreenRect& r, const char* key = nullptr, nlohmann::json value = nullptr) {
    nlohmann::json j = nlohmann::json::object();
    j["x"] = r.min.x;
    j["y"] = r.min.y;
    j["w"] = r.max.x - r.min.x;
    j["h"] = r.max.y - r.min.y;
    if (key) j[key] = std::move(value);
    return j;
}

}  // namespace

void lab_tick(AppState& app) {
    LabState& l = app.lab;
    const bool shown = l.drawn_frame == l.frame;  // drawn last frame
    l.frame++;
    if (!shown) {  // nothing of the Lab is on the screen: no rectangles to click
        l.tiles.clear();
        l.plot = l.tab = l.pages[0] = l.pages[1] = ScreenRect();
        for (ScreenRect& r : l.sliders) r = ScreenRect();
    }
    sync(app);
    if (shown && l.page == 0) sweep_tick(app);
    top_tick(app, shown);
}

void lab_apply(AppState& app) {
    LabState& l = app.lab;
    transformed_input(app, l.t, l.pixels, app.input.data());
    recompute_all(app);
    app.interacted = true;
    l.applied = app.input;
}

void lab_reset(AppState& app) {
    app.lab.t = lenet::Transform();
    lab_apply(app);
}

void lab_set(AppState& app, const lenet::Transform& t, const char* where) {
    sync(app);
    lenet::transform_validate(t, where);
    app.lab.t = t;
    lab_apply(app);
}

lenet::Transform lab_current(const AppState& app) {
    return app.lab.applied == app.input ? app.lab.t : lenet::Transform();
}

bool lab_invariance_shown(const AppState& app) { return app.lab.drawn_frame == app.lab.frame && app.lab.page == 0; }

void lab_refresh_textures(AppState& app) {
    LabState& l = app.lab;
    if (!l.atlas_dirty) return;
    l.atlas_dirty = false;
    const lenet::Dataset& d = app.test;
    const int n = int(l.top.indices.size());
    if (n == 0 || d.rows <= 0 || d.cols <= 0) return;
    std::vector<uint8_t> px(size_t(n) * size_t(d.rows) * size_t(d.cols), 0);
    for (int k = 0; k < n; ++k) {
        const int index = l.top.indices[size_t(k)];
        if (index < 0 || index >= d.count) continue;
        const uint8_t* src = d.image(index);
        for (int y = 0; y < d.rows; ++y)
            std::copy(src + size_t(y) * d.cols, src + size_t(y + 1) * d.cols, px.begin() + long((size_t(y) * n + k) * d.cols));
    }
    heatmap_upload_u8(l.atlas, px.data(), n * d.cols, d.rows);
}

void lab_free_textures(AppState& app) { heatmap_free(app.lab.atlas); }

bool lab_command(AppState& app, const nlohmann::json& cmd, std::string& reply) {
    using nlohmann::json;
    const std::string name = cmd["cmd"];
    if (name != "transform" && name != "top_digits") return false;
    // A bad argument throws: app_command's caller replies {ok: false, error: "<cmd>: ..."}.
    auto bad = [&](const std::string& e) { throw lenet::Error(lenet::ErrorKind::Usage, name, e); };
    json r = json::object();
    r["ok"] = true;
    if (name == "transform") {  // absent keys: the identity
        lenet::Transform t;
        for (const auto& [key, v] : cmd.items()) {
            int k = 0;
            while (k < kLabParams && key != kLabParam[k].key) ++k;
            if (key == "cmd") continue;
            if (k < kLabParams && v.is_number()) lab_param(t, k) = v.get<float>();
            else if (key == "seed" && v.is_number_unsigned()) t.seed = v.get<uint64_t>();
            else if (k < kLabParams || key == "seed") bad("\"" + key + "\" must be a number" + (k < kLabParams ? "" : " >= 0") + ", got " + v.dump());
            else bad("unknown key \"" + key + "\" (dx, dy, scale, rotate, shear, thickness, noise, seed)");
        }
        lab_set(app, t);  // throws, naming the value and its range
        r["prediction"] = app.prediction.label;
        r["scores"] = app.prediction.scores;
        r["pixels"] = app.lab.pixels;
        reply = r.dump();
        return true;
    }
    // top_digits: blocking, the whole search at once (the panel's search is sliced).
    int v[6] = {0, 0, 0, 0, 9, 2000};  // map, y, x, count, subset
    const char* keys[6] = {"layer", "map", "y", "x", "count", "subset"};
    if (!cmd.contains("layer") || !cmd["layer"].is_string() || !cmd.contains("map"))
        bad("needs \"layer\" (a name such as C1, C3, C5, F6) and \"map\" (and \"y\", \"x\" for a map unit)");
    for (int k = 1; k < 6; ++k)
        if (cmd.contains(keys[k])) {
            const json& x = cmd[keys[k]];
            if (!x.is_number_integer() || x.get<long long>() < -1000000 || x.get<long long>() > 1000000)
                bad(std::string("\"") + keys[k] + "\" must be an integer, got " + x.dump());
            v[k] = x.get<int>();
        }
    std::string why;
    if (app.test.count <= 0) bad("no test set is loaded");
    if (v[5] > app.test.count && test_set_waiting(app, &why))
        bad("only " + fmt_int(app.test.count) + " test digits have arrived (" + why + ")");
    const lenet::UnitRef u = lenet::unit_ref(*app.net, cmd["layer"].get<std::string>(), v[1], v[2], v[3]);  // throws, naming what exists
    const lenet::TopActivations top = lenet::top_activations(*app.net, app.test, u, v[4], v[5]);
    std::vector<int> labels;
    for (int i : top.indices) labels.push_back(app.test.labels[size_t(i)]);
    r["indices"] = top.indices;
    r["activations"] = top.activations;
    r["pre"] = top.pre;
    r["labels"] = labels;
    reply = r.dump();
    return true;
}

void lab_state_json(const AppState& app, nlohmann::json& state) {
    using nlohmann::json;
    const LabState& l = app.lab;
    json& j = state["lab"];
    lenet::Transform t = l.t;
    json& transform = j["transform"];
    json& sliders = j["sliders"];
    for (int k = 0; k < kLabParams; ++k) {
        transform[kLabParam[k].key] = lab_param(t, k);
        sliders.push_back(rect_json(l.sliders[k], "key", kLabParam[k].key));
    }
    transform["seed"] = l.t.seed;
    j["identity"] = l.t.identity();
    j["page"] = l.page;
    j["tab"] = rect_json(l.tab);
    j["pages"].push_back(rect_json(l.pages[0]));
    j["pages"].push_back(rect_json(l.pages[1]));
    json& sweep = j["sweep"];
    sweep["param"] = kLabParam[l.sweep_param].key;
    sweep["done"] = l.sweep_for == l.sweep_param && l.next.empty() && int(l.sweep.size()) == kSweepPoints;
    json& points = sweep["points"] = json::array();
    for (const SweepPoint& p : l.sweep) {
        json& q = points.emplace_back();
        q["value"] = p.value;
        q["label"] = p.label;
        q["margin"] = p.margin;
    }
    json& top = j["top"];
    const bool unit_ok = l.unit.layer >= 0 && l.unit.layer < int(app.net->layers().size());
    top["layer"] = unit_ok ? app.net->layers()[size_t(l.unit.layer)].name : std::string();
    top["map"] = l.unit.map;
    top["y"] = l.unit.y;
    top["x"] = l.unit.x;
    top["subset"] = l.subset;
    top["total"] = l.search ? l.search->total() : 0;
    top["done"] = l.search ? l.search->done() : 0;
    top["finished"] = l.search && l.search->finished() && same_unit(l.unit, l.searched);
    top["indices"] = l.top.indices;
    top["activations"] = l.top.activations;
    top["message"] = l.message;
    json& tiles = top["tiles"] = json::array();
    for (const LabState::Tile& tile : l.tiles) tiles.push_back(rect_json(tile.rect, "index", tile.index));
}
