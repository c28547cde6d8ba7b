// web/app_lab.h — the Lab tab: the invariance lab (sliders transform the current input with
// lenet::transform_apply, training's distortion code; the prediction and every layer follow; a sweep
// plots the prediction and its confidence across one slider's range) and "what excites a unit" (the
// test digits that drive one unit of C1, C3, C5, F6... highest: lenet::TopActivationSearch, a
// time-budgeted slice per frame). Logic and the JSON interface: app_lab.cpp; the panel:
// panels/lab_panel.cpp. Included by app.h (it uses Heatmap and ScreenRect).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

struct AppState;

// The sliders, in the order drawn; a lenet::Transform field each (lab_param).
constexpr int kLabParams = 7;     // dx, dy, scale, rotate, shear, thickness, noise
constexpr int kSweepPoints = 25;  // points of a sweep across a slider's range
constexpr int kLabDefaultSweep = 3;  // rotate

struct LabParam {
    const char* key;    // the transform command's key and the sweep's name
    const char* label;  // the slider's label
    float       lo, hi; // lenet::TransformLimits
    const char* format; // the slider's value
    const char* unit;   // after a value on the sweep plot
};
extern const LabParam kLabParam[kLabParams];
float& lab_param(lenet::Transform& t, int k);

struct SweepPoint {
    float value;   // the slider's value
    int   label;   // predicted class
    float margin;  // confidence: lenet::rank_outputs' gap between the two best outputs
};

struct LabState {
    // ---- invariance: the transform of the current input ----
    lenet::Transform     t;              // what the sliders say
    std::vector<uint8_t> original;       // the untransformed digit (rows x cols grey levels)
    int                  rows = 28, cols = 28;
    std::vector<uint8_t> pixels;         // the transformed digit, as last applied
    std::vector<float>   applied;        // app.input as the lab left it: a different one is a new input
    long                 origin = 0;     // bumped with each new original (the sweep restarts)
    int                  page = 0;       // the Lab tab's page: 0 invariance, 1 top digits
    bool                 focus = false;  // show the Invariance page once the Lab draws (a lab= link)
    long                 drawn_frame = -2, frame = 0;  // the frame the Lab was last drawn (work only then)

    // ---- the sweep of one slider (computed a slice per frame while the Lab shows it) ----
    int                     sweep_param = kLabDefaultSweep;
    std::vector<SweepPoint> sweep;            // the finished sweep shown
    std::vector<SweepPoint> next;             // the one being computed
    lenet::Transform        sweep_base;       // what `next` / `sweep` were computed for
    long                    sweep_origin = -1;
    int                     sweep_for = -1;   // its parameter
    std::vector<float>      sweep_weights;    // the network's parameters it ran with
    float                   budget_ms = 6.0f;

    // ---- what excites a unit ----
    lenet::UnitRef  unit;                 // the unit (default: the first conv layer's centre)
    const lenet::Network* unit_net = nullptr;   // the network it belongs to (app.net)
    int             subset = 2000, count = 9;
    int             traced[4] = {-1, 0, 0, 0};  // the traced unit last followed (layer, map, y, x)
    std::unique_ptr<lenet::Network>             search_net;  // a copy: training may go on
    std::unique_ptr<lenet::TopActivationSearch> search;
    lenet::UnitRef  searched;             // what `search` / `top` are for
    int             searched_subset = 0;
    lenet::TopActivations top;            // the finished result
    std::string     top_dataset;          // its data set
    const uint8_t*  data_id = nullptr;    // app.test's first image when the search started (a new set: restart)
    bool            restart = false;      // search again (a button, or the data changed under the search)
    std::string     message;              // what the search waits for
    Heatmap         atlas;                // the top digits side by side
    bool            atlas_dirty = false;

    // Where the last frame drew things (screen pixels): tests click them.
    ScreenRect tab, pages[2], sliders[kLabParams], plot;
    struct Tile { int index; ScreenRect rect; };
    std::vector<Tile> tiles;
};

void lab_tick(AppState& app);               // step 1 of a frame: a new input, a sweep slice, a search slice
void lab_apply(AppState& app);              // the sliders' transform of the original into the network
void lab_reset(AppState& app);              // the identity: the original digit again
// t on the current input; a t outside lenet::TransformLimits throws lenet::Error (naming `where`).
void lab_set(AppState& app, const lenet::Transform& t, const char* where = "transform");
// The transform app.input has now: the sliders', or the identity when the input changed since (the
// next frame's lab_tick resets the sliders then).
lenet::Transform lab_current(const AppState& app);
bool lab_invariance_shown(const AppState& app);  // the Invariance page was drawn this frame
void lab_refresh_textures(AppState& app);   // the top digits' atlas (from refresh_textures)
void lab_free_textures(AppState& app);
// {cmd: "transform", dx, dy, scale, rotate, shear, thickness, noise, seed} -> {ok, prediction,
// scores, pixels}; {cmd: "top_digits", layer, map, y, x, count, subset} -> {ok, indices, activations,
// pre, labels}. Returns false when cmd is not one of them.
bool lab_command(AppState& app, const nlohmann::json& cmd, std::string& reply);
void lab_state_json(const AppState& app, nlohmann::json& state);  // state().lab
void draw_lab_tab(AppState& app);           // the "Lab" tab item of the right column (panels/lab_panel.cpp)
void draw_lab_panel(AppState& app);         // its contents (also the phone layout's "Lab" section)
