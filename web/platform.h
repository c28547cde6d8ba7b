// web/platform.h — the interface between a platform main and the app.
//
//   main_web.cpp      Emscripten: SDL2 + WebGL2 canvas, browser main loop, the window.lenet JS API.
//   main_desktop.cpp  native: SDL2 window + OpenGL ES 3.0 context, --frames/--screenshot for tests.
//   platform.cpp      what both mains share: the per-frame body (platform_frame), the state JSON.
//   app*.cpp          everything the user sees, identical on both platforms.
//
// A platform main owns the window, the GL context, the ImGui context and its SDL2/OpenGL3 backends.
// Each frame it pumps its events, then calls platform_frame() (ImGui::NewFrame(), app_frame(),
// render), then presents. The app never touches SDL
// or the window; it draws with ImGui and may use OpenGL ES 3.0 directly (include <GLES3/gl3.h>;
// shaders start with AppConfig::glsl_version). It reads its data files from AppConfig::asset_dir
// (see cmake/LenetAssets.cmake: lenet_add_asset()).
//
// Errors: app_create/app_frame/app_command may throw (lenet::Error or any std::exception). The
// platform shows the message (web: the page's error panel with a Reload button; desktop: stderr and
// exit status 1). Recoverable problems (a bad file the user picked) belong inside the app's own UI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Given once, at start-up.
struct AppConfig {
    std::string platform;      // "web" or "desktop"
    std::string asset_dir;     // root of the asset files: "/assets" (web), "<exe dir>/assets" (desktop)
    std::string glsl_version;  // "#version 300 es" (OpenGL ES 3.0 / WebGL2 on both platforms)
    std::string hash;          // initial view as a URL hash ("#arch=..&layer=C3"; web: location.hash,
                               // desktop: --hash); "" = defaults. The app ignores bad parts with a notice.
};

// The colour the platform clears the framebuffer to, under the app's full-screen window (sRGB 0..1).
constexpr float kCanvasColor[3] = {0.10f, 0.11f, 0.13f};

// Given every frame.
struct FrameInfo {
    long   frame = 0;            // 0, 1, 2, ...
    double time = 0.0;           // seconds since start-up
    float  dt = 0.0f;            // seconds since the previous frame
    int    width = 0, height = 0;  // framebuffer size in pixels
};

struct AppState;  // defined by the app

// The keys the app acts on without a widget. Each press reaches the app as an event, so a tap whose
// key-down and key-up fall within one frame still counts, however slow the frames.
enum class AppKey { Left, Right, Home, End, Space };

// ---- implemented by the app (web/app.cpp, web/app_api.cpp) --------------------------------------
// Called with a current GL context and an ImGui context whose backends are initialised.
AppState*   app_create(const AppConfig& config);
// Between ImGui::NewFrame() and ImGui::Render(): draw this frame's windows.
void        app_frame(AppState& app, const FrameInfo& frame);
void        app_destroy(AppState* app);
// A JSON object describing what the app shows; window.lenet.state().app, and the desktop's
// --print-state. Tests read it, so keep field names stable and document them in app_api.cpp.
std::string app_state_json(const AppState& app);
// window.lenet.command(obj): obj as JSON text in, a JSON object out ({"ok": false, "error": ...}
// for an unknown or malformed command). Lets tests and embedding pages drive the app.
std::string app_command(AppState& app, const std::string& json);
// window.lenet.loadModel(arrayBuffer, filename): a model file's bytes (ONNX, .npz, .lenet; the content
// says which) become the app's network (web/app_files.h). Returns {"ok": true, "arch", ...} or
// {"ok": false, "error": "<file>: what is wrong"}, the network then unchanged.
std::string app_load_model(AppState& app, const uint8_t* bytes, size_t size, const std::string& filename);
// A key went down (not an auto-repeat); queued in the app and acted on in its next frame, in order.
void        app_key_pressed(AppState& app, AppKey key);

// ---- implemented by each platform main ---------------------------------------------------------
// Tell assistive technology something changed ("Layer C3 computed"). Web: the page's
// aria-live="polite" region #live; desktop: no-op.
void platform_announce(const std::string& text);

// Run-time data files (cmake/LenetAssets.cmake), by path relative to AppConfig::asset_dir. The
// desktop has them all on disk (assets_desktop.cpp). The page fetches the first frame's files
// before the app starts and the others after it (web/assets.js, assets_web.cpp): look before
// opening one of those.
enum class AssetState { Ready, Loading, Failed, Absent };  // Absent: not part of this build
struct AssetStatus {
    AssetState  state = AssetState::Absent;
    float       progress = 0.0f;  // 0..1 while loading
    std::string error;            // why it failed (with a Retry, see platform_asset_retry)
};
struct AssetFile {
    std::string path;  // relative to the asset folder, e.g. "weights/lenet5.lenet"
    std::string arch;  // a weights file's architecture when known without reading it ("" otherwise)
};
AssetStatus            platform_asset(const AppConfig& config, const std::string& path);
void                   platform_asset_request(const std::string& path);  // fetch it now if it is not there
void                   platform_asset_retry();                           // fetch the failed files again
void                   platform_asset_reload(const std::string& path);   // fetch it again (it arrived damaged)
std::vector<AssetFile> platform_asset_files(const AppConfig& config, const std::string& dir);  // dir: e.g. "weights"

// The user's own files (web/app_files.h). Web: the browser downloads `bytes` as `name`, and the file
// picker's choice arrives later through window.lenet.loadModel. Desktop: files are read and written
// by path instead; these two throw lenet::Error there.
void platform_download(const std::string& name, const std::vector<uint8_t>& bytes);
void platform_pick_model_file();

// ---- shared by the platform mains (web/platform.cpp) -------------------------------------------
struct PlatformStatus {
    const char* platform = "";
    bool        ready = false;   // true once a frame with the app's windows has been presented
    long        frames = 0;      // frames rendered so far
    double      fps = 0.0;
    int         width = 0, height = 0;
    std::string error;           // empty unless the app failed
};
// {"ready":..,"version":"<lenet::kVersion>","platform":..,"frames":..,"fps":..,"width":..,
//  "height":..,"error":null|"...","app":{app_state_json()}}. app may be null (not created yet).
std::string platform_state_json(const PlatformStatus& status, const AppState* app);
// Runs app_command, turning a thrown exception into {"ok":false,"error":"..."}.
std::string platform_command(AppState* app, const std::string& json);

// The clock of FrameInfo::time and dt: seconds on a monotonic clock. Start it once the app exists.
struct FrameClock {
    double start = 0.0, last = 0.0;
};
FrameClock frame_clock_start();
double     now_ms();  // a monotonic clock in milliseconds (frame timing, time budgets, statistics)

struct SDL_Window;
union SDL_Event;
// One event from SDL_PollEvent: to ImGui's SDL backend, and a key press of an AppKey to
// app_key_pressed (app may be null before the app exists).
void platform_event(AppState* app, const SDL_Event& event);
// One frame of the app, the same on both platforms; the platform pumps its events before and
// presents the framebuffer after. The ImGui backends' new frame, app_frame with this frame's
// timing and size, ImGui::Render, and with `draw` the frame drawn into the window's framebuffer
// (cleared first), counted in status (frames, fps, width, height). Throws what app_frame throws.
void platform_frame(SDL_Window* window, AppState& app, PlatformStatus& status, FrameClock& clock, bool draw);
