// web/app_btrace.cpp — the backward trace's cache and its part of the JSON interface (app_api.cpp
// calls btrace_command and btrace_state_json once each); see app_btrace.h.
//
// Command:
//   trace_backward {layer, map, y?, x?}  layer: a forward layer's name ("C3") or its backward step's
//            ("C3'"). Goes to that backward step (running the backward pass of the current input if
//            needed, without changing the weights), selects unit (map, y, x) and replies
//            {ok, layer, unit, delta, engine_delta, d_out, engine_d_out, fprime, abs_sum, terms,
//            groups: [{title, terms, sum}], from_loss, rule, next, matches, weight}, where weight is
//            {name, w, grad, engine_grad, terms, bias_grad, engine_bias_grad, bias_terms, matches}
//            or null for a layer without weights. delta = f'(a) x d_out; abs_sum: sum of |w x delta|
//            of the terms, the scale of the rounding.
// State fields: backward_trace, the same object for the selected unit of the step shown, or null;
// backward_maps, [x, y, w, h, x, y, w, h, ...] where the backward step's dE/d(output) maps were drawn last (a
// vector layer: one, its grid; screen pixels).
#include "app.h"
#include "backward_steps.h"
#include "printable.h"

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

json fail(const std::string& e) { return {{"ok", false}, {"error", e}}; }

// The engine layer of the backward step shown, if a unit of it is selected; else -1.
int selected_layer(const AppState& app) {
    const BackwardView& b = app.backward;
    if (!backward_active(app) || !b.ws || b.version < 0 || app.unit_map < 0) return -1;
    const int layer = lenet_web::train_step_layer(*app.net, b.step);
    if (layer < 0) return -1;
    const lenet::Shape s = app.net->layers()[size_t(layer)].out;
    return app.unit_map < s.c && app.unit_y < s.h && app.unit_x < s.w ? layer : -1;
}

bool fresh(const AppState& app, const BackwardTraceView& v) {
    return v.version == app.backward.version && v.step == app.backward.step && v.map == app.unit_map &&
           v.y == app.unit_y && v.x == app.unit_x;
}

void build(const AppState& app, int layer, BackwardTraceView& v) {
    const BackwardView& b = app.backward;
    const lenet::Network& net = *app.net;
    v.t = lenet_web::trace_backward(net, *b.ws, b.label, layer, app.unit_map, app.unit_y, app.unit_x);
    v.w = lenet_web::trace_weight(net, *b.ws, b.grad.data(), layer, lenet_web::default_weight(net, *b.ws, layer, app.unit_map));
    v.version = b.version;
    v.step = b.step;
    v.map = app.unit_map;
    v.y = app.unit_y;
    v.x = app.unit_x;
}

// Numbers from tables of (key, value) and one loop: nlohmann's initializer lists and a line per
// field cost several times the code in the page.
using Num = std::pair<const char*, double>;
void put(json& j, std::initializer_list<Num> nums) {
    for (const Num& n : nums) j[n.first] = n.second;
}

json trace_json(const AppState& app, const BackwardTraceView& v) {
    const lenet_web::BackTrace& t = v.t;
    const lenet_web::WeightTrace& wt = v.w;
    json j, groups = json::array(), unit, w = nullptr;
    double abs_sum = 0;
    for (const lenet_web::BackGroup& g : t.groups) {
        json e;
        e["title"] = g.title;
        put(e, {{"terms", double(g.terms.size())}, {"sum", g.sum}});
        groups.push_back(std::move(e));
        abs_sum += g.abs_sum;
    }
    put(unit, {{"map", v.map}, {"y", v.y}, {"x", v.x}});
    if (wt.valid) {
        w["name"] = wt.name;
        w["matches"] = wt.matches;
        put(w, {{"w", wt.w}, {"grad", wt.grad.sum}, {"engine_grad", wt.engine_grad}, {"terms", double(wt.grad.terms.size())},
                {"abs_sum", wt.grad.abs_sum}, {"bias_grad", wt.bias_grad}, {"engine_bias_grad", wt.engine_bias_grad},
                {"bias_terms", wt.bias_terms}});
    }
    j["ok"] = true;
    j["layer"] = lenet_web::train_step_name(*app.net, v.step);
    j["unit"] = std::move(unit);
    put(j, {{"delta", t.d_pre}, {"engine_delta", t.engine_d_pre}, {"d_out", t.d_out}, {"engine_d_out", t.engine_d_out},
            {"fprime", t.fprime}, {"abs_sum", abs_sum}, {"terms", t.terms}});
    j["groups"] = std::move(groups);
    j["from_loss"] = t.from_loss;
    j["rule"] = t.rule;
    j["next"] = t.next;
    j["matches"] = t.matches;
    j["weight"] = std::move(w);
    return j;
}

}  // namespace

const BackwardTraceView* backward_trace(AppState& app) {
    const int layer = selected_layer(app);
    if (layer < 0) return nullptr;
    if (!fresh(app, app.btrace)) build(app, layer, app.btrace);
    return app.btrace.t.valid ? &app.btrace : nullptr;
}

bool btrace_command(AppState& app, const json& cmd, std::string& reply) {
    if (cmd["cmd"].get<std::string>() != "trace_backward") return false;
    const lenet::Network& net = *app.net;
    if (!cmd.contains("layer") || !cmd["layer"].is_string()) {
        reply = fail("trace_backward needs \"layer\", a layer name such as C3 (or its backward step C3')").dump();
        return true;
    }
    const std::string name = cmd["layer"].get<std::string>();
    const int step = lenet_web::train_step_from_name(net, name);
    const int layer = lenet_web::train_step_layer(net, step);
    if (layer < 0) {
        reply = fail("trace_backward: '" + lenet_web::printable(name) + "' is not a layer of " + net.spec().name +
                     " (LOSS and UPDATE have no units)").dump();
        return true;
    }
    int u[3] = {-1, 0, 0};
    const char* keys[3] = {"map", "y", "x"};
    for (int k = 0; k < 3; ++k) {
        if (!cmd.contains(keys[k])) continue;
        const json& e = cmd[keys[k]];
        u[k] = e.is_number_integer() && e.get<long long>() >= 0 && e.get<long long>() < 100000 ? int(e.get<long long>()) : -2;
    }
    const lenet::Shape s = net.layers()[size_t(layer)].out;
    if (u[0] < 0 || u[0] >= s.c || u[1] < 0 || u[1] >= s.h || u[2] < 0 || u[2] >= s.w) {
        reply = fail("trace_backward needs \"map\" (and \"y\", \"x\" for a map unit): integers naming a unit of " +
                     lenet_web::train_step_name(net, step) + ", " + lenet::shape_str(s)).dump();
        return true;
    }
    if (app.backward.step != step) set_backward_step(app, step);
    else compute_backward(app);
    app.unit_map = u[0];
    app.unit_y = u[1];
    app.unit_x = u[2];
    app.focus_trace = true;
    const BackwardTraceView* v = backward_trace(app);
    reply = (v ? trace_json(app, *v) : fail("trace_backward: the gradients of this input are not available")).dump();
    return true;
}

void btrace_state_json(const AppState& app, json& j) {
    json rects = json::array();
    if (backward_active(app))
        for (const ScreenRect& r : app.btrace.rects)
            for (float f : {r.min.x, r.min.y, r.max.x - r.min.x, r.max.y - r.min.y}) rects.push_back(f);
    j["backward_maps"] = rects;
    // The panel and the command keep the trace fresh; until the next frame after a click, null.
    const bool shown = selected_layer(app) >= 0 && fresh(app, app.btrace) && app.btrace.t.valid;
    j["backward_trace"] = shown ? trace_json(app, app.btrace) : json(nullptr);
}
