// web/app_backward_api.cpp — the training step-through's part of the JSON interface (app_api.cpp
// calls these two functions once each).
//
// Commands:
//   backward {sample?, label?}  forward, loss and backward of test digit `sample` (it becomes the
//            input), or of the current input; `label` is the target of a drawn input (default: its
//            prediction). The weights do not change. Shows the LOSS step unless a backward step is
//            shown. Reply {ok, loss, label, prediction, layer, layer_index}.
//   gradient {layer, of: "weight"|"bias"|"output"}  of the last backward: {ok, name, shape, values},
//            values flat in PyTorch's layout: [out, in, kh, kw] for a conv (zeros where a connection
//            table has no connection), [out, in] for a full layer, [C] for a subsampling coefficient,
//            [C, H, W] for an output. A layer without weights (pooling, RBF) has no weight or bias.
//   select_layer {layer: "LOSS" | "UPDATE" | "C3'"}  goes to that training step (the forward names
//            are app_api.cpp's).
// State fields: mode ("step", "backward", "train"), layer and layer_index count on past OUTPUT
// (LOSS = number of views, ..., UPDATE = last; `layers` keeps the forward views), train_steps (their
// names), backward {step, name, layer (engine layer of a backward step, else null), loss, label,
// prediction, optimizer, eta, mu, hkk_from, updated, loss_before, loss_after, prediction_after,
// updates} (null while the forward steps are shown).
#include "app.h"
#include "backward_steps.h"
#include "printable.h"

#include <nlohmann/json.hpp>

#include <string>

using nlohmann::json;

namespace {

json fail(const std::string& e) { return {{"ok", false}, {"error", e}}; }

json values_of(const lenet::GradView& v) {
    json a = json::array();
    for (size_t k = 0; k < v.count; ++k) a.push_back(v.data[k]);
    return a;
}

json gradient_reply(const AppState& app, const json& cmd) {
    if (app.backward.version < 0) return fail("gradient: run the backward command (or step past OUTPUT) first");
    if (!cmd.contains("layer") || !cmd["layer"].is_string()) return fail("gradient needs \"layer\", a layer name such as C3");
    std::string name = cmd["layer"].get<std::string>();
    if (!name.empty() && name.back() == '\'') name.pop_back();
    const int layer = app.net->layer_index(name);
    if (layer < 0) return fail("gradient: no layer '" + lenet_web::printable(name) + "' in " + app.net->spec().name);
    const std::string of = cmd.contains("of") && cmd["of"].is_string() ? cmd["of"].get<std::string>() : "";
    const lenet::LayerGradients g = layer_gradient(app, layer);
    const lenet::GradView* v = of == "weight" ? &g.d_weight : of == "bias" ? &g.d_bias : of == "output" ? &g.d_out : nullptr;
    if (!v) return fail("gradient needs \"of\": weight, bias or output");
    if (v->count == 0) {
        const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
        return fail("gradient: " + name + " (" + lenet::layer_type_name(L.type) + ") has no trainable " + of);
    }
    return {{"ok", true}, {"name", v->name}, {"shape", v->shape}, {"values", values_of(*v)}};
}

json step_reply(const AppState& app) {
    const BackwardView& b = app.backward;
    return {{"ok", true}, {"loss", b.loss}, {"label", b.label}, {"prediction", b.prediction},
            {"layer", step_name(app, step_index(app))}, {"layer_index", step_index(app)}};
}

}  // namespace

bool backward_command(AppState& app, const json& cmd, std::string& reply) {
    const std::string name = cmd["cmd"].get<std::string>();
    if (name == "backward") {
        if (cmd.contains("sample")) {
            if (!cmd["sample"].is_number_integer()) {
                reply = fail("backward: \"sample\" must be a test-digit index").dump();
                return true;
            }
            const long long s = cmd["sample"].get<long long>();
            set_sample(app, s < 0 || s > 1000000000LL ? -1 : int(s));  // throws lenet::Error for a bad index
        }
        if (cmd.contains("label")) {
            const int classes = int(app.net->output_shape().size());
            if (!cmd["label"].is_number_integer() || cmd["label"].get<long long>() < 0 || cmd["label"].get<long long>() >= classes) {
                reply = fail("backward: \"label\" must be a class 0.." + std::to_string(classes - 1)).dump();
                return true;
            }
            app.backward.target = int(cmd["label"].get<long long>());
        }
        app.backward.version = -1;  // recompute, whatever is cached
        const int update = lenet_web::train_step_count(*app.net) - 1;
        if (!backward_active(app) || app.backward.step == update) set_backward_step(app, 0);
        else compute_backward(app);
        reply = step_reply(app).dump();
        return true;
    }
    if (name == "gradient") {
        reply = gradient_reply(app, cmd).dump();
        return true;
    }
    if (name == "select_layer" && cmd.contains("layer") && cmd["layer"].is_string()) {
        const std::string layer = cmd["layer"].get<std::string>();
        const bool training_name = layer == "LOSS" || layer == "UPDATE" || (!layer.empty() && layer.back() == '\'');
        const int step = training_name ? lenet_web::train_step_from_name(*app.net, layer) : -1;
        if (step < 0) return false;  // a forward name (or an unknown one): app_api.cpp answers
        set_backward_step(app, step);
        reply = step_reply(app).dump();
        return true;
    }
    return false;
}

void backward_state_json(const AppState& app, json& j) {
    j["mode"] = mode_name(app.mode);
    json steps = json::array();
    for (int s = 0; s < lenet_web::train_step_count(*app.net); ++s) steps.push_back(lenet_web::train_step_name(*app.net, s));
    j["train_steps"] = steps;
    if (!backward_active(app)) {
        j["backward"] = nullptr;
        return;
    }
    const BackwardView& b = app.backward;
    const int layer = lenet_web::train_step_layer(*app.net, b.step);
    j["layer"] = step_name(app, step_index(app));
    j["layer_index"] = step_index(app);
    j["backward"] = {{"step", b.step},
                     {"name", lenet_web::train_step_name(*app.net, b.step)},
                     {"layer", layer >= 0 ? json(app.net->layers()[size_t(layer)].name) : json(nullptr)},
                     {"loss", b.loss},
                     {"loss_kind", lenet::loss_name(app.net->spec().loss)},
                     {"label", b.label},
                     {"prediction", b.prediction},
                     {"optimizer", b.sdlm ? "sdlm" : "sgd"},
                     {"eta", b.eta},
                     {"mu", b.mu},
                     {"hkk_from", b.hdiag_from},
                     {"updated", b.updated},
                     {"loss_before", b.loss_before},
                     {"loss_after", b.loss_after},
                     {"prediction_after", b.prediction_after},
                     {"updates", b.updates}};
}
