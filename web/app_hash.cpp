// web/app_hash.cpp — the URL hash (#arch=lenet5-1998&sample=123&layer=C3&unit=2,4,5, or back=C3 for
// a training step; lab=rotate:20,dx:3 for the Lab's transform) applied to the app, and written back
// from it. Syntax checks are in hash_parse.cpp; here the values are checked against the engine (does
// the preset, layer, sample, unit exist? is a transform within lenet::TransformLimits?). Every bad
// value is skipped with a notice, the rest still applies; nothing here throws.
#include "app.h"
#include "backward_steps.h"
#include "hash_parse.h"

#include <algorithm>
#include <cstdio>

namespace {

void notice(AppState& app, const std::string& text) {
    app.notices.push_back("Link: " + text);
}

int lab_key_index(const char* key) {  // kLabParam's key in the parser's kLabKeyNames
    for (int j = 0; j < lenet_web::kLabKeys; ++j)
        if (std::string(key) == lenet_web::kLabKeyNames[j]) return j;
    return -1;
}

// lab=: the link's transform of the (linked) digit, each value outside lenet::TransformLimits
// skipped with a notice; the Lab opens on its Invariance page.
void apply_lab(AppState& app, const lenet_web::HashState& h) {
    lenet::Transform t;
    for (int k = 0; k < kLabParams; ++k) {
        const LabParam& p = kLabParam[k];
        const int j = lab_key_index(p.key);
        if (j < 0 || !h.lab_set[j]) continue;
        const float v = h.lab_value[j];
        if (v >= p.lo && v <= p.hi) {
            lab_param(t, k) = v;
        } else {
            char s[160];
            std::snprintf(s, sizeof s, "ignored %s:%g in lab= (%s is %g..%g)", p.key, double(v), p.key, double(p.lo), double(p.hi));
            notice(app, s);
        }
    }
    if (h.has_lab_seed) t.seed = h.lab_seed;
    for (int k = 0; k < kLabParams; ++k)
        if (h.lab_sweep >= 0 && lab_key_index(kLabParam[k].key) == h.lab_sweep) app.lab.sweep_param = k;
    lab_set(app, t, "lab=");
    app.lab.focus = true;
}

}  // namespace

void apply_hash(AppState& app, const std::string& hash) {
    std::string why;
    app.pending_hash.clear();
    if (hash_waits_for_data(app, hash, &why)) {
        app.pending_hash = hash;  // update_data applies it when the data has arrived
        return;
    }
    lenet_web::HashState h = lenet_web::parse_hash(hash);
    for (const std::string& n : h.notices) notice(app, n);
    try {
        if (h.has_arch && h.arch != app.arch) {
            if (std::find(app.presets.begin(), app.presets.end(), h.arch) != app.presets.end())
                select_arch(app, h.arch);
            else
                notice(app, "ignored arch=" + h.arch + " (no such architecture; presets: lenet5-1998, lenet5, lenet5-relu)");
        }
        if (h.has_data && h.data != app.dataset) {
            try {
                select_dataset(app, h.data);
            } catch (const lenet::Error& e) {
                notice(app, "ignored data=" + h.data + " (" + e.what() + ")");
            }
        }
        if (h.has_input && h.input == "draw") {
            set_drawn_input(app);
        } else if (h.has_sample || (h.has_input && h.input == "test")) {
            const int s = h.has_sample ? h.sample : app.sample;
            if (s < app.test.count)
                set_sample(app, s);
            else
                notice(app, "ignored sample=" + std::to_string(s) + " (the test set has " +
                                std::to_string(app.test.count) + " digits: 0.." + std::to_string(app.test.count - 1) + ")");
        }
        if (h.has_layer) {
            int v = -1;
            if (h.layer_index >= 0) {
                v = h.layer_index < view_count(app) ? h.layer_index : -1;
            } else {
                for (int i = 0; i < view_count(app); ++i)
                    if (view_name(app, i) == h.layer) v = i;
            }
            if (v >= 0)
                set_view(app, v);
            else
                notice(app, "ignored layer=" + (h.layer_index >= 0 ? std::to_string(h.layer_index) : h.layer) +
                                " (no such layer in " + app.net->spec().name + ")");
        }
        if (h.has_back) {
            const int step = lenet_web::train_step_from_name(*app.net, h.back);
            if (step >= 0)
                set_backward_step(app, step);
            else
                notice(app, "ignored back=" + h.back + " (LOSS, UPDATE or a layer of " + app.net->spec().name + ")");
        }
        if (h.has_unit) {
            const lenet::Shape s = step_shape(app, step_index(app));
            const int y = std::max(h.unit_y, 0), x = std::max(h.unit_x, 0);
            if (app.view > 0 && h.unit_map < s.c && y < s.h && x < s.w) {
                app.unit_map = h.unit_map;
                app.unit_y = y;
                app.unit_x = x;
                app.focus_trace = true;  // a link to a unit shows its trace
            } else {
                notice(app, "ignored unit=" + std::to_string(h.unit_map) +
                                (h.unit_y >= 0 ? "," + std::to_string(h.unit_y) + "," + std::to_string(h.unit_x) : "") +
                                " (not a unit of " + step_name(app, step_index(app)) + ", " +
                                lenet::shape_str(step_shape(app, step_index(app))) + ")");
            }
        }
        if (h.has_view) app.show_pre = h.pre;
        if (h.has_lab) apply_lab(app, h);  // last: it transforms the digit the link chose
    } catch (const lenet::Error& e) {
        notice(app, std::string("could not apply: ") + e.what());
    }
}

std::string make_hash(const AppState& app) {
    if (!app.pending_hash.empty()) return app.pending_hash;  // the link stays in the address bar
    lenet_web::HashState h;
    const bool preset = std::find(app.presets.begin(), app.presets.end(), app.arch) != app.presets.end();
    h.has_arch = preset;  // a spec file on the desktop has no portable name
    h.arch = app.arch;
    if (app.dataset != "mnist") {
        h.has_data = true;
        h.data = app.dataset;
    }
    if (app.source == InputSource::Draw) {
        h.has_input = true;
        h.input = "draw";
    } else {
        h.has_sample = true;
        h.sample = app.sample;
    }
    h.has_back = backward_active(app);  // a training step: back=LOSS|UPDATE|<layer> instead of layer=
    h.back = lenet_web::train_step_link_name(*app.net, app.backward.step);
    h.has_layer = !h.has_back;
    h.layer = view_name(app, app.view);
    if (app.unit_map >= 0) {
        h.has_unit = true;
        h.unit_map = app.unit_map;
        const lenet::Shape s = step_shape(app, step_index(app));
        h.unit_y = s.h * s.w > 1 ? app.unit_y : -1;
        h.unit_x = s.h * s.w > 1 ? app.unit_x : -1;
    }
    if (app.show_pre) {
        h.has_view = true;
        h.pre = true;
    }
    // lab= while the input is transformed (the link must show the same prediction) or while the
    // Lab's Invariance page is open (the link opens it); the sweep when it is not the default's.
    const lenet::Transform t = lab_current(app);
    h.has_lab = !t.identity() || lab_invariance_shown(app);
    lenet::Transform id, cur = t;
    for (int k = 0; k < kLabParams && h.has_lab; ++k) {
        const int j = lab_key_index(kLabParam[k].key);
        if (j >= 0 && lab_param(cur, k) != lab_param(id, k)) {
            h.lab_set[j] = true;
            h.lab_value[j] = lab_param(cur, k);
        }
    }
    h.has_lab_seed = t.noise != 0 && t.seed != 0;  // the seed only matters with noise
    h.lab_seed = t.seed;
    if (app.lab.sweep_param != kLabDefaultSweep) h.lab_sweep = lab_key_index(kLabParam[app.lab.sweep_param].key);
    return lenet_web::format_hash(h);
}
