// web/app_eval.h — "Evaluate test set": the whole test set through the network a slice per frame
// (lenet::ReportEvaluator, app_eval.cpp), then the confusion matrix, the misclassified digits as in
// the paper's Fig. 8 and the rejection curve of its Section III.C in the Evaluate window
// (panels/eval_panel.cpp). Included by app.h (it uses Heatmap and ScreenRect).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

struct AppState;

struct EvalView {
    bool        show = false;       // the Evaluate window is open
    bool        requested = false;  // start once the whole test set is in
    std::string message;            // what it waits for, or why it cannot run
    float       budget_ms = 6.0f;   // evaluation time per frame

    // The run: a copy of the network (training may go on meanwhile) and the engine's evaluator,
    // which reads AppState::test; the run is dropped when the data set changes under it.
    std::unique_ptr<lenet::Network>         net;
    std::unique_ptr<lenet::ReportEvaluator> run;
    std::string dataset, arch, weights;     // what was evaluated (weights: its label in the UI)
    double      seconds = 0;                // time spent evaluating
    bool        stale = false;              // the shown network's weights differ from the evaluated ones
    std::vector<lenet::RejectionPoint> curve;      // when done: EvalReport::rejection_curve
    lenet::RejectionPoint              operating;  // the fewest rejected for kPaperError

    // The gallery: the digits of one confusion cell, or every misclassified digit (cell_true -1).
    int              cell_true = -1, cell_pred = -1;
    std::vector<int> gallery;               // test indices, ascending
    bool             gallery_dirty = false; // the atlas must be rebuilt (refresh_textures)
    Heatmap          atlas;                 // the first kGalleryMax digits of the gallery, side by side
    int              atlas_cols = 0, atlas_count = 0;

    // Where the last frame drew the matrix and the gallery (screen pixels; tests click them).
    ImVec2 matrix_pos{0, 0}, cell_size{0, 0};
    struct Tile { int index; ScreenRect rect; };
    std::vector<Tile> tiles;
};

constexpr double kPaperError = 0.005;  // the paper's rejection operating point: 0.5% test error
constexpr int    kGalleryMax = 200;    // digits shown in the gallery at once

void eval_request(AppState& app);              // the Evaluate button and the evaluate command
void eval_tick(AppState& app);                 // step 1 of a frame: start, or run for budget_ms
void eval_select_cell(AppState& app, int true_class, int predicted);  // -1, -1: the misclassified
void eval_refresh_textures(AppState& app);     // the gallery's atlas (from refresh_textures)
void eval_free_textures(AppState& app);
// {cmd: "evaluate"} starts an evaluation, {cmd: "eval_cell", true, predicted} opens a gallery.
// Returns false when cmd is not one of them.
bool eval_command(AppState& app, const nlohmann::json& cmd, std::string& reply);
// state().eval: null before the first evaluation, else {done, count, total, errors, confusion,
// misclassified, rejection, operating_point, ...} (app_eval.cpp).
void eval_state_json(const AppState& app, nlohmann::json& state);
void draw_eval_window(AppState& app);          // panels/eval_panel.cpp
