// web/app_backward.cpp — the training steps after OUTPUT (app_backward.h): where the strip is (the
// forward views, then LOSS, the backward steps and UPDATE), the current input's loss and gradients
// from the engine's backward API (Network::loss, backward, backward_hessian, layer_gradients), and
// the UPDATE that applies one optimiser step to them.
#include "app.h"
#include "backward_steps.h"

#include <algorithm>
#include <cmath>

namespace {

int last_view(const AppState& app) { return view_count(app) - 1; }

void follow_mode(AppState& app) {
    if (app.mode != AppMode::Train) app.mode = stepping_mode(app);
}

void announce(AppState& app) {
    const std::string text = backward_summary(app);
    if (text != app.announced) {
        app.announced = text;
        platform_announce(text);
    }
}

// The label the loss is of: the test digit's, or for a drawing the chosen target (else its
// prediction).
int loss_label(const AppState& app) {
    if (app.source == InputSource::Test && app.test.count > 0) return app.test.labels[size_t(app.sample)];
    return app.backward.target >= 0 ? app.backward.target : app.prediction.label;
}

// The step each weight will get, from the Train tab's optimiser: eta (SGD), or eta / (mu + h_kk)
// (SDLM) with h_kk from a running SDLM session's estimate, else from this digit alone.
void plan_update(AppState& app) {
    BackwardView& b = app.backward;
    const lenet::Network& net = *app.net;
    const size_t P = net.params().size();
    b.sdlm = app.train.settings.optimizer == lenet::Optimizer::Sdlm;
    b.eta = app.train.settings.lr;  // the Paper schedule's eta of the first passes
    b.mu = lenet::TrainConfig().sdlm_mu;
    b.steps.assign(P, b.eta);
    b.hdiag.clear();
    b.hdiag_from.clear();
    if (!b.sdlm) return;
    const lenet::Trainer* tr = app.train.trainer.get();
    if (tr && tr->config().optimizer == lenet::Optimizer::Sdlm && tr->hessian().size() == P &&
        std::any_of(tr->hessian().begin(), tr->hessian().end(), [](float h) { return h > 0.0f; })) {
        b.hdiag = tr->hessian();
        b.mu = tr->config().sdlm_mu;
        b.hdiag_from = "the Train tab's estimate (averaged over " + fmt_int(tr->config().sdlm_samples) +
                       " training digits at the start of the pass)";
    } else {
        b.hdiag.assign(P, 0.0f);
        net.backward_hessian(*b.ws, b.hdiag.data());
        b.hdiag_from = "this digit alone (training averages it over " + fmt_int(lenet::TrainConfig().sdlm_samples) +
                       " digits at the start of each pass)";
    }
    for (size_t k = 0; k < P; ++k) b.steps[k] = lenet_web::sdlm_step(b.eta, b.mu, b.hdiag[k]);
}

// UPDATE: w -= step_k x dE/dw_k for every parameter (a connection table's absent weights have a zero
// gradient and stay zero), then the same digit's loss with the new weights.
void apply_update(AppState& app) {
    BackwardView& b = app.backward;
    lenet::Network& net = *app.net;
    std::vector<float>& w = net.params();
    for (size_t k = 0; k < w.size(); ++k) w[k] -= b.steps[k] * b.grad[k];
    b.loss_before = b.loss;
    b.prediction_before = b.prediction;
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    recompute_all(app);  // the step-through and full passes, with the new weights
    net.forward(*app.scratch, app.input.data());
    b.loss_after = net.loss(*app.scratch, b.label);
    b.prediction_after = net.prediction(*app.scratch).label;
    b.updated = true;
    b.updates++;
}

}  // namespace

const char* mode_name(AppMode m) {
    switch (m) {
        case AppMode::Backward: return "backward";
        case AppMode::Train: return "train";
        case AppMode::Step: break;
    }
    return "step";
}

bool backward_active(const AppState& app) { return app.backward.step >= 0; }

AppMode stepping_mode(const AppState& app) { return backward_active(app) ? AppMode::Backward : AppMode::Step; }

int step_count(const AppState& app) { return view_count(app) + lenet_web::train_step_count(*app.net); }

int step_index(const AppState& app) { return backward_active(app) ? view_count(app) + app.backward.step : app.view; }

std::string step_name(const AppState& app, int index) {
    if (index < view_count(app)) return view_name(app, index);
    return lenet_web::train_step_name(*app.net, index - view_count(app));
}

lenet::Shape step_shape(const AppState& app, int index) {
    if (index < view_count(app)) return view_shape(app, index);
    const int step = index - view_count(app);
    if (step == 0) return app.net->output_shape();
    const int layer = lenet_web::train_step_layer(*app.net, step);
    return layer < 0 ? lenet::Shape{0, 0, 0} : app.net->layers()[size_t(layer)].out;
}

void set_step(AppState& app, int index) {
    index = std::clamp(index, 0, step_count(app) - 1);
    if (index < view_count(app)) set_view(app, index);
    else set_backward_step(app, index - view_count(app));
}

void leave_backward(AppState& app) {
    if (!backward_active(app)) return;
    app.backward.step = -1;
    app.unit_map = -1;
    follow_mode(app);
}

void compute_backward(AppState& app) {
    BackwardView& b = app.backward;
    const lenet::Network& net = *app.net;
    if (b.ws && b.version == app.version) return;
    if (!b.ws || b.grad.size() != net.params().size()) b.ws = std::make_unique<lenet::Workspace>(net);
    try {
        net.forward(*b.ws, app.input.data());
    } catch (const lenet::Error&) {  // made for another network of the same size
        b.ws = std::make_unique<lenet::Workspace>(net);
        net.forward(*b.ws, app.input.data());
    }
    b.label = loss_label(app);
    b.prediction = net.prediction(*b.ws).label;
    b.loss = net.loss(*b.ws, b.label);
    b.grad.assign(net.params().size(), 0.0f);
    net.backward(*b.ws, b.grad.data());
    plan_update(app);
    b.version = app.version;
}

void set_backward_step(AppState& app, int step) {
    BackwardView& b = app.backward;
    const int n = lenet_web::train_step_count(*app.net);
    step = std::clamp(step, 0, n - 1);
    if (app.view != last_view(app) || app.ws->layers_done() < last_view(app)) set_view(app, last_view(app));
    const bool to_update = step == n - 1 && b.step != step;
    if (step != b.step) app.unit_map = -1;
    if (step == 0 || b.step < 0) b.updated = false;  // a new training step starts at LOSS
    b.step = step;
    compute_backward(app);
    if (to_update) apply_update(app);
    follow_mode(app);
    app.interacted = true;
    announce(app);
}

void backward_refresh(AppState& app) {
    BackwardView& b = app.backward;
    if (!backward_active(app)) return;
    if (b.step >= lenet_web::train_step_count(*app.net) || app.view != last_view(app)) {
        leave_backward(app);  // the network changed under it
        return;
    }
    compute_backward(app);  // the input or the weights changed (a new digit, training)
    const int layer = lenet_web::train_step_layer(*app.net, b.step);
    if (b.tex_version == b.version && b.tex_step == b.step) return;
    b.tex_version = b.version;
    b.tex_step = b.step;
    if (layer < 0) return;
    const lenet::LayerGradients g = layer_gradient(app, layer);
    upload_maps(b.d_out, g.d_out.data, app.net->layers()[size_t(layer)].out);
    if (g.d_weight.count) upload_weight_tensor(app, b.d_weight, layer, g.d_weight.data);
}

lenet::LayerGradients layer_gradient(const AppState& app, int layer) {
    const BackwardView& b = app.backward;
    if (!b.ws || b.version < 0 || layer < 0 || layer >= int(app.net->layers().size())) return lenet::LayerGradients();
    return app.net->layer_gradients(*b.ws, b.grad.data())[size_t(layer)];
}

std::string backward_summary(const AppState& app) {
    const BackwardView& b = app.backward;
    const lenet::Network& net = *app.net;
    const int n = step_count(app), i = step_index(app);
    std::string t = "Step " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + step_name(app, i);
    char num[64];
    const int layer = lenet_web::train_step_layer(net, b.step);
    if (b.step == 0) {
        std::snprintf(num, sizeof num, "%.4f", double(b.loss));
        t += std::string(", the ") + lenet::loss_name(net.spec().loss) + " loss of this digit for label " +
             class_name(app, b.label) + ": " + num;
    } else if (layer >= 0) {
        t += ", the gradient flowing back through layer " + net.layers()[size_t(layer)].name;
    } else if (b.updated) {
        std::snprintf(num, sizeof num, "%.4f to %.4f", double(b.loss_before), double(b.loss_after));
        t += std::string(", the weights took one ") + (b.sdlm ? "SDLM" : "SGD") + " step; this digit's loss went from " + num;
    }
    return t + ".";
}
