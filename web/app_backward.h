// web/app_backward.h — the training step-through: after OUTPUT the layer strip goes on with LOSS,
// the backward pass layer by layer (OUTPUT' <- F6' <- ... <- C1') and UPDATE (web/backward_steps.h
// numbers and names them). The state is BackwardView (AppState::backward); app_backward.cpp
// computes it with the engine's backward API on the current input, app_backward_api.cpp is its
// part of the JSON interface, panels/backward_panel.cpp draws it.
//
// Nothing here changes the weights except UPDATE: arriving at the UPDATE step applies one step of
// the optimiser chosen in the Train tab (SGD: w -= eta dE/dw; SDLM: w -= eta / (mu + h_kk) dE/dw) to
// the gradient shown, and measures the digit's loss again.
//
// app.h includes this header after Heatmap is defined: include app.h, not this file.
#pragma once

#include <lenet/lenet.h>
#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

struct AppState;

// What the app is doing, state().mode: "step" (stepping through classification), "backward" (a
// training step after OUTPUT is shown), "train" (a training session runs; app_train.cpp sets it
// while it runs and gives it back with stepping_mode() when it stops).
enum class AppMode { Step, Backward, Train };
const char* mode_name(AppMode m);  // "step", "backward", "train"

// One digit's training step: its gradients with respect to every layer's output, weights and
// biases, the optimiser's step per weight, and the loss before and after UPDATE.
struct BackwardView {
    int   step = -1;          // -1: the forward steps; else 0 LOSS, 1..L layer L-step's backward, L+1 UPDATE
    long  version = -1;       // AppState::version the gradients are of (-1: none yet)
    std::unique_ptr<lenet::Workspace> ws;  // forward, loss and backward of the input
    std::vector<float> grad;  // dE/dw, dE/db of this digit, laid out as Network::params()
    std::vector<float> hdiag; // h_kk, laid out as params(): Gauss-Newton second derivatives (SDLM)
    std::string hdiag_from;   // where h_kk comes from ("the Trainer's estimate over ...", "this digit")
    std::vector<float> steps; // the per-weight step of the update (eta, or eta / (mu + h_kk))
    int   target = -1;        // label used for a drawn input (-1: its prediction)
    int   label = -1;         // the label the loss is of
    int   prediction = -1;
    float loss = 0;           // E of the digit before UPDATE
    // UPDATE: the loss and prediction of the same digit after the step, and how many steps were taken.
    bool  updated = false;
    float loss_before = 0, loss_after = 0;
    int   prediction_before = -1, prediction_after = -1;
    long  updates = 0;
    float eta = 0, mu = 0.02f;  // of the update plan in `steps`
    bool  sdlm = false;
    // Textures of the step shown (backward_refresh): dE/d(output) maps stacked as the forward maps,
    // dE/dw packed as the weights view; made for `tex_version` and `tex_step`.
    Heatmap d_out, d_weight;
    long  tex_version = -1;
    int   tex_step = -1;
};

// ---- app_backward.cpp ---------------------------------------------------------------------------
bool backward_active(const AppState& app);            // a training step is shown
int  step_index(const AppState& app);                 // 0..L forward views, then L+1+backward step
int  step_count(const AppState& app);                // 1 + L forward views + L + 2 training steps
std::string step_name(const AppState& app, int index);  // "INPUT", "C1", ..., "LOSS", "C3'", "UPDATE"
// The shape of what a step shows: a view's output; LOSS: the network's output; a backward step: the
// layer's output (its dE/d(output)); UPDATE: none (0 maps).
lenet::Shape step_shape(const AppState& app, int index);
// Go to a step by its index (clamped); a forward index leaves the training steps (set_view).
void set_step(AppState& app, int index);
void set_backward_step(AppState& app, int step);      // 0 = LOSS ... L+1 = UPDATE (throws lenet::Error)
void leave_backward(AppState& app);                   // back to the forward steps (OUTPUT stays shown)
// The current input's forward, loss and backward (no weight changes), if the input or the weights
// changed since the last time. label: -1 = the test digit's label (a drawing: its target).
void compute_backward(AppState& app);
void backward_refresh(AppState& app);                 // once a frame: recompute if stale, textures
AppMode stepping_mode(const AppState& app);           // Backward or Step, from what is shown
// The gradient views of one layer of the last backward (layer index into layers()).
lenet::LayerGradients layer_gradient(const AppState& app, int layer);
std::string backward_summary(const AppState& app);    // the announcement text of a training step

// ---- panels/backward_panel.cpp ------------------------------------------------------------------
void draw_backward_panel(AppState& app);          // the middle column while a training step is shown
void draw_backward_weights_panel(AppState& app);  // the Weights tab then: dE/dw, dE/db, the update

// ---- app_backward_api.cpp: its part of app_api.cpp's JSON interface -----------------------------
bool backward_command(AppState& app, const nlohmann::json& cmd, std::string& reply);  // true: handled
void backward_state_json(const AppState& app, nlohmann::json& j);                    // adds its fields
