// web/app.h — the visualizer's state (explicit structs, no static locals) and the functions its
// files share. One job per file:
//   app.cpp            start-up (font, first data and network), shut-down, and the order of one frame
//   app_layout.cpp     the main window: three columns at desktop sizes, one scrolling column on a phone
//   app_keys.cpp       keyboard shortcuts and playback
//   app_stats.cpp      frame-time statistics
//   app_api.cpp        the JSON interface of web/platform.h: app_state_json and app_command
//   app_data.cpp       the data as it arrives: test set slice or whole, what waits for a download
//   app_model.cpp      everything that talks to the engine: architecture, weights, input, stepping
//   app_train*.cpp     live training on the training set, a time-budgeted slice per frame (app_train.h)
//   app_eval.cpp       "Evaluate test set": the whole test set a slice per frame, its report (app_eval.h)
//   app_files.cpp      the user's model files: load (.lenet, .npz, ONNX) and save/download (app_files.h)
//   app_lab.cpp        the Lab tab: transforms of the input, sweeps, a unit's top digits (app_lab.h)
//   app_textures.cpp   the current view's values packed into GL textures, refreshed once per frame
//   app_theme.cpp      the dark theme's colours, each text colour readable (WCAG AA contrast)
//   app_gl.cpp         the GLSL colormap shader (shaders/colormap.*) and float textures
//   app_hash.cpp       URL hash <-> state (parsing: hash_parse.h)
//   panels/*.cpp       one file per panel, void draw_xxx_panel(AppState&): they draw and react to clicks
//   panels/wrapped.h   the panels' wrapped text: lines break at spaces only (text_wrap.h)
//   trace.h, hash_parse.h, text_wrap.h  pure logic without ImGui or GL (library lenet_app_logic, unit-tested)
//
// "Views" are the steps of the layer strip: view 0 is INPUT, view k (1..L) is engine layer k-1
// (C1 .. OUTPUT for lenet5-1998). Stepping to view k runs exactly engine layer k-1 on the
// step-through workspace; a second workspace always holds the complete forward pass, so the
// prediction is known (and the drawing pad reacts live) whatever step the user is looking at.
//
// One frame (app_frame in app.cpp), in this order:
//   1. data that arrived, keys, playback, the "next misclassified" search and a training slice
//      change the state;
//   2. refresh_textures uploads what changed since the last upload (the one place textures are
//      written), so every panel of this frame draws textures that match the state as of step 1;
//   3. the layout draws the panels. A click in a panel changes the state at once, but its textures
//      follow at step 2 of the next frame (one frame later), like any ImGui widget's effect;
//   4. the hash and the frame statistics are updated.
// Commands from JavaScript (app_command) run between frames, so they are in place before step 2.
#pragma once

#include "app_train.h"
#include "platform.h"
#include "trace.h"

#include <imgui.h>
#include <lenet/lenet.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

// ---- GL: float textures drawn through the colormap shader (app_gl.cpp) -------------------------
struct Heatmap {
    unsigned           tex = 0;  // GL texture name, R32F, NEAREST
    int                w = 0, h = 0;
    std::vector<float> data;     // CPU copy (w*h): hover values, and the fallback without shaders
};

enum class ColorMode { Diverging = 0, Sequential = 1, Gray = 2 };

// How values map to colours. Diverging: [-r, r] blue..white..red (symmetric around 0);
// Sequential: [lo, hi] dark..bright (viridis-like); Gray: [lo, hi] black..white.
struct ColorScale {
    ColorMode mode = ColorMode::Diverging;
    float     lo = -1.0f, hi = 1.0f;
};

struct GlState;
struct ShaderCall {  // kept alive until the frame is rendered (AppState::shader_calls)
    ColorScale     scale;
    const GlState* gl = nullptr;
};

struct GlState {
    unsigned program = 0;
    int      loc_proj = -1, loc_tex = -1, loc_mode = -1, loc_lo = -1, loc_hi = -1;
    std::string error;              // shader compile/link problem (then maps fall back to rectangles)
    Heatmap legend;                 // 256x1 ramp 0..1
};

#include "app_backward.h"  // BackwardView: the training steps after OUTPUT (uses Heatmap)

// ---- textures of the current view (app_textures.cpp) --------------------------------------------
struct ViewTextures {
    Heatmap pad;          // the drawing pad's ink
    Heatmap steps[4];     // gray, crop, fit20, mnist28 of the preprocessing strip
    Heatmap input;        // network input
    Heatmap act;          // current view's maps stacked vertically (W, C*H), or a vector as a grid
    Heatmap prev;         // the previous view's maps (trace: receptive field)
    Heatmap weights;      // kernels, prototypes...
    Heatmap f6;           // F6 outputs as 7x12 (OUTPUT view)
    long    version = -1; // AppState::version the view textures were made for
    bool    pre = false;
    int     view = -1;
};

// ---- drawing pad --------------------------------------------------------------------------------
struct DrawPad {
    static constexpr int kSize = 192;       // pad resolution (square), ink in [0,1]
    std::vector<float>   ink;               // (kSize, kSize)
    float                brush = 7.0f;      // radius in pad pixels
    bool                 stroke = false;    // the mouse button is down on the pad
    ImVec2               last{0, 0};        // last stroke point (pad pixels)
    bool                 dirty = true;      // ink changed since the last texture upload
    bool                 changed = false;   // the user painted: run the engine on the drawing
    ImVec2               pos{0, 0}, size{0, 0};  // where it was drawn last frame (screen = CSS pixels)
    int                  strokes = 0;       // strokes drawn since the last clear
};
struct ScreenRect { ImVec2 min{0, 0}, max{0, 0}; };

// ---- shipped weights ----------------------------------------------------------------------------
struct WeightsFile {
    std::string path;     // in the asset folder
    std::string file;     // file name
    std::string arch;     // spec name stored in the file
    std::string dataset;  // "mnist" or "fashion" (from the file name)
};

// ---- frame time (app_stats.cpp) -----------------------------------------------------------------
struct FrameStats {
    double frame_ms = 0.0, frame_ms_max = 0.0;   // smoothed dt and the max of the last 120 frames
    double app_ms = 0.0, app_ms_max = 0.0;       // time spent inside app_frame
    std::vector<float> frame_hist;               // last 120 dt values (ms)
    std::vector<float> app_hist;
    double interact_frame_ms_max = 0.0;          // max dt over frames where the user stepped or drew
    double interact_app_ms_max = 0.0;
    long   interact_frames = 0;
    long   interact_slow_frames = 0;             // of those, frames whose app time was >= 16 ms
};

enum class InputSource { Draw, Test };

#include "app_eval.h"  // EvalView (uses Heatmap and ScreenRect above)
#include "app_files.h"  // ModelFiles: the user's own model files
#include "app_btrace.h"  // BackwardTraceView: tracing a unit of a backward step (uses ScreenRect)
#include "app_lab.h"   // LabState: the Lab tab (invariance, top digits)

struct AppState {
    AppConfig config;

    // ---- model (app_model.cpp) ----
    std::vector<std::string>          presets;
    std::string                       arch;          // preset name, or the JSON spec's path
    std::string                       arch_error;    // last failed architecture/spec load
    std::string                       spec_path;     // text field (desktop)
    std::unique_ptr<lenet::Network>   net;
    std::unique_ptr<lenet::Workspace> ws;            // step-through: layers_done() == view
    std::unique_ptr<lenet::Workspace> full;          // complete forward pass of the same input
    std::unique_ptr<lenet::Workspace> scratch;       // test-set classification ("next misclassified")
    std::vector<WeightsFile>          weights_files;
    std::string                       weights;       // file name in use, "" = untrained (seeded init)
    uint64_t                          seed = 42;
    lenet::Prediction                 prediction;
    std::vector<std::string>          class_names;

    // ---- data ----
    std::string    dataset = "mnist";   // "mnist" | "fashion"
    lenet::Dataset test;
    std::string    data_error;
    bool           test_full = false;   // `test` is the whole test set, not its first slice (app_data.cpp)
    std::string    pending_dataset;     // chosen while its test set was still downloading
    std::string    pending_weights;     // chosen while the file was still downloading
    std::string    pending_hash;        // a deep link that waits for data (applied when it arrives)
    std::string    waiting;             // what the app waits for, shown in the UI ("" = nothing)
    int            sample = 0;
    std::vector<int8_t> test_pred;      // prediction per test digit, -1 = not computed yet
    int            scan_next = 0;       // "next misclassified" incremental search position
    bool           scanning = false;
    std::string    scan_message;

    // ---- input ----
    InputSource         source = InputSource::Test;
    std::vector<float>  input;          // network input (C, H, W), normalised
    lenet::Preprocessed pre;            // drawing-pad preprocessing, every step
    DrawPad             pad;

    // ---- stepping ----
    int    view = 0;                    // 0 = INPUT, k = engine layer k-1
    bool   playing = false;
    double play_clock = 0.0;
    float  play_interval = 0.8f;        // seconds per step
    bool   show_pre = false;            // pre-activation instead of output
    long   steps_run = 0;               // forward_layer calls (for tests)
    std::vector<AppKey> key_presses;    // key presses since the last frame, in order (app_keys.cpp)
    int    arrow_frames[2] = {0, 0};    // frames Left / Right have been held (see app_keys.cpp)
    double debug_sleep_ms = 0.0;        // each frame waits this long: a slow device (debug_sleep command)
    int    unit_map = -1, unit_y = 0, unit_x = 0;  // traced unit of the current view (-1: none)
    int    hover_map = -1;              // hovered output map (C3 table highlight)
    int    table_hover = -1;            // output map hovered in the weights panel (frames that map)
    bool   focus_trace = false;         // select the "Trace a unit" tab on the next frame
    bool   focus_train = false;         // select the "Train" tab on the next frame
    uint64_t rng = 0x9E3779B97F4A7C15ull;  // "Random" test digit (xorshift)
    long   version = 0;                 // bumped when input, weights or view change
    bool   interacted = false;          // this frame stepped or drew (frame statistics)

    // ---- UI ----
    ViewTextures            tex;
    GlState                 gl;
    std::vector<char>       font_data;         // the UI font file (the ImGui atlas reads it)
    std::deque<ShaderCall>  shader_calls;   // this frame's shader parameters
    bool                    show_summary = false;
    bool                    stacked = false;   // phone-sized layout
    std::vector<std::string> notices;          // shown until dismissed (bad hash values, load errors)
    std::string             hash;              // canonical hash of the current state
    std::string             announced;         // last text given to platform_announce
    struct Caption { std::string text; float text_w, col_w, right, limit; };  // screen pixels
    ScreenRect              prediction_rect;   // the input panel's predicted class as drawn last
    std::vector<Caption>    strip_captions;    // the preprocessing strip's captions as drawn last
                                               // (text_w <= col_w and right <= limit: none is cut)
    TrainState              train;             // app_train.h
    EvalView                eval;              // the Evaluate window (app_eval.cpp)
    ModelFiles              files;             // the Model files window: load and save (app_files.cpp)
    LabState                lab;               // the Lab tab (app_lab.cpp)
    BackwardView            backward;   // the training steps after OUTPUT (app_backward.h)
    BackwardTraceView       btrace;     // the traced unit of a backward step (app_btrace.h)
    AppMode                 mode = AppMode::Step;  // state().mode; the rule is in app_backward.h
    FrameStats              stats;
};

// ---- app_model.cpp ------------------------------------------------------------------------------
void        scan_weights(AppState& app);                      // <assets>/weights/*.lenet
int         view_count(const AppState& app);                  // 1 + layers
std::string view_name(const AppState& app, int view);         // "INPUT", "C1", ...
lenet::Shape view_shape(const AppState& app, int view);
void        select_arch(AppState& app, const std::string& name_or_path);  // throws lenet::Error
// The network of `spec` (untrained; label becomes app.arch), before any weights are chosen; the
// current input prepared for it. Throws lenet::Error with nothing changed.
void        install_network(AppState& app, const lenet::ArchSpec& spec, const std::string& label);
void        prepare_current_input(AppState& app);  // app.input from the test digit or the pad
void        select_weights(AppState& app, const std::string& file);       // "" = untrained
void        select_dataset(AppState& app, const std::string& dataset);
void        set_sample(AppState& app, int index);
void        set_drawn_input(AppState& app);                   // from the pad (preprocessing)
void        clear_pad(AppState& app);                         // an empty pad, as the input
void        set_input_pixels(AppState& app, const std::vector<float>& pixels01, int rows, int cols);  // 0..1, else throws
void        recompute_all(AppState& app);                     // after the weights changed (training)
void        set_view(AppState& app, int view);               // runs the layers needed, one by one
void        step_view(AppState& app, int delta);
void        run_to_output(AppState& app);
int         classify_test(AppState& app, int index);         // cached prediction of a test digit
void        scan_misclassified(AppState& app, int budget);   // continues the "next misclassified" search
const float* view_data(const AppState& app, int view, bool pre);  // nullptr if not computed
ColorScale  view_scale(const AppState& app, int view, bool pre);
bool        penalty_output(const AppState& app);              // scores: smaller is better (RBF)
std::string class_name(const AppState& app, int label);
std::string step_summary(const AppState& app);                // announcement text of the current step
inline std::string fmt_int(long long v) { return lenet::with_commas(uint64_t(v)); }  // counts: "340,908"

// A vector of n units drawn as a grid: 84 as the paper's 7 wide x 12 high, up to 12 in a row,
// more in rows of 12 (C5's 120 units: 12 x 10).
inline void vector_grid(int n, int& cols, int& rows) {
    cols = n == 84 ? 7 : (n <= 12 ? n : 12);
    rows = (n + cols - 1) / cols;
}

// The trace arithmetic (trace.h) applied to the app's network and its step-through workspace.
using lenet_web::Rect;
using lenet_web::Trace;
using lenet_web::TraceGroup;
using lenet_web::TraceTerm;
Rect             receptive_field(const AppState& app, int view, int y, int x, int target);
std::vector<int> feeding_maps(const AppState& app, int layer, int o);
Trace            trace_unit(const AppState& app);             // the selected unit (app.unit_*)

// ---- app_textures.cpp ---------------------------------------------------------------------------
void refresh_textures(AppState& app);  // step 2 of the frame (above): re-upload what changed
void free_textures(AppState& app);
// Values (C, H, W) as a texture: maps stacked vertically (W, C*H), a vector as vector_grid's grid,
// an image (the input) always as its map.
void upload_maps(Heatmap& tex, const float* d, const lenet::Shape& s, bool image = false);
// A layer's weight tensor (as params() lays it out, or the RBF prototypes) packed as the weights
// panel draws it: conv (O,I,K,K) as Table I (O*K, I*K); full (O,I) as (I, O); rbf as 10 7x12 bitmaps.
void upload_weight_tensor(const AppState& app, Heatmap& tex, int layer, const float* w);
// h.data[i], or 0 outside it (hover read-outs of a texture drawn for another shape)
inline float heatmap_value(const Heatmap& h, size_t i) { return i < h.data.size() ? h.data[i] : 0.0f; }

// ---- app_gl.cpp ---------------------------------------------------------------------------------
void gl_init(AppState& app);
void gl_shutdown(AppState& app);
void heatmap_upload(Heatmap& h, const float* data, int w, int h_);
void heatmap_upload_u8(Heatmap& h, const uint8_t* data, int w, int h_);  // 0..255 -> 0..1
void heatmap_free(Heatmap& h);
// Draw the sub-rectangle [uv0, uv1] of h at the cursor with the given size, through the shader.
// Returns true if hovered; uv of the mouse in `hover_uv` (0..1 within the drawn rectangle).
// An invisible button (label `id`) covers it: IsItemClicked()/IsItemHovered() work after the call.
bool draw_heatmap(AppState& app, const char* id, const Heatmap& h, ImVec2 size, ImVec2 uv0, ImVec2 uv1,
                  const ColorScale& s, ImVec2* hover_uv = nullptr);
void draw_legend(AppState& app, const ColorScale& s, float width);
ImU32 scale_color(const ColorScale& s, float v);   // the shader's colormap on the CPU (bars, text)

// ---- app_hash.cpp -------------------------------------------------------------------------------
// Bad parts become notices. A link that needs data still downloading waits in app.pending_hash.
void        apply_hash(AppState& app, const std::string& hash);
std::string make_hash(const AppState& app);  // app.pending_hash while a link waits

// ---- app_data.cpp -------------------------------------------------------------------------------
AssetStatus    full_test_set_status(const AppState& app, const std::string& dataset);
// The whole test set if it is there (*full = true), else its first slice; throws lenet::Error
// when neither has arrived (and asks for the whole set).
lenet::Dataset load_test_set(AppState& app, const std::string& dataset, bool* full);
bool test_set_waiting(const AppState& app, std::string* why);  // only a slice so far; why: for the UI
bool weights_arrived(AppState& app, const WeightsFile& w);      // asks for it when it has not
// Would this link ask for data that has not arrived (a data set, a digit past the slice)? Asks for it.
bool hash_waits_for_data(AppState& app, const std::string& hash, std::string* why);
void update_data(AppState& app);  // once a frame: take in what arrived

// ---- app_keys.cpp -------------------------------------------------------------------------------
void handle_keys(AppState& app);                // the queued key presses, then Left/Right held down
void toggle_play(AppState& app);                // Space and the Play button: from INPUT at the end
void advance_playback(AppState& app, float dt); // one step every play_interval seconds while playing

// ---- app_stats.cpp ------------------------------------------------------------------------------
// After the frame: dt and the app's own time into the last-120-frames figures.
void update_frame_stats(AppState& app, const FrameInfo& frame, double app_ms);

// ---- app_theme.cpp: the dark theme's colours (each text colour readable, WCAG AA) ---------------
namespace theme {
extern const ImVec4 kTitle, kLayerName, kGood, kBad, kWarn, kNotice, kPlain, kPadHint;
extern const ImVec4 kBarLabel, kBarValue, kWinner, kAxis, kFocus;
extern const ImVec4 kStripCurrent, kStripCurrentText, kStripDone, kStripTodo;
extern const ImVec4 kStripBackCurrent, kStripBackDone, kStripBackTodo;  // the training steps after OUTPUT
extern const ImVec4 kBadgeTrainedHere, kBadgeUntrained, kBadgeTrained, kRowCurrent, kRowHovered;
}  // namespace theme
void        apply_theme();   // ImGui's dark style with darker backgrounds behind text (app_create)
std::string theme_json();    // [{what, fg, bg: [colours bottom to top]}]: every text colour on its backgrounds

// ---- app_layout.cpp -----------------------------------------------------------------------------
void draw_layout(AppState& app);  // the full-screen window with every panel, and the summary window

// ---- panels/*.cpp -------------------------------------------------------------------------------
void draw_top_panel(AppState& app);
void draw_strip_panel(AppState& app);
void draw_input_panel(AppState& app);
void draw_layer_panel(AppState& app);
void draw_summary_panel(AppState& app);
void draw_activations_panel(AppState& app);
// Values (C, H, W) drawn as the activations panel draws a step's maps (tex from upload_maps), the
// value under the mouse named `what`; a click selects the unit (app.unit_*). rects: where each map
// (a vector layer: its grid) was drawn, in screen pixels.
void draw_value_maps(AppState& app, const Heatmap& tex, const lenet::Shape& sh, const ColorScale& scale, const char* what,
                     bool image = false, std::vector<ScreenRect>* rects = nullptr);
void draw_weights_panel(AppState& app);
// A conv or full layer's weight tensor as the weights panel draws it (conv kernels, C3 as Table I;
// the full matrix), from tex (upload_weight_tensor) and the layer's biases; w and b name the values
// ("w", "bias"; the training steps: "dE/dw", "dE/db").
void draw_weight_tensor(AppState& app, int layer, const Heatmap& tex, const float* bias, const char* w, const char* b);
// The RBF layer's ten 7x12 prototypes side by side (weights and output panels).
void draw_prototypes(AppState& app, float cell, const std::vector<float>* distances, int best);
void draw_trace_panel(AppState& app);
void draw_output_panel(AppState& app);
void draw_train_panel(AppState& app);
