// web/platform.cpp — code shared by main_web.cpp and main_desktop.cpp: events, the per-frame body, the
// state JSON that window.lenet.state() returns, and exception-safe command dispatch.
#include "platform.h"

#include <GLES3/gl3.h>
#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>
#include <lenet/lenet.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <exception>

void platform_event(AppState* app, const SDL_Event& event) {
    ImGui_ImplSDL2_ProcessEvent(&event);
    if (!app || event.type != SDL_KEYDOWN || event.key.repeat) return;
    switch (event.key.keysym.scancode) {  // the scancodes ImGui's backend maps these keys from
        case SDL_SCANCODE_LEFT: app_key_pressed(*app, AppKey::Left); break;
        case SDL_SCANCODE_RIGHT: app_key_pressed(*app, AppKey::Right); break;
        case SDL_SCANCODE_HOME: app_key_pressed(*app, AppKey::Home); break;
        case SDL_SCANCODE_END: app_key_pressed(*app, AppKey::End); break;
        case SDL_SCANCODE_SPACE: app_key_pressed(*app, AppKey::Space); break;
        default: break;
    }
}

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

FrameClock frame_clock_start() {
    FrameClock c;
    c.start = c.last = now_ms() / 1000.0;
    return c;
}

void platform_frame(SDL_Window* window, AppState& app, PlatformStatus& status, FrameClock& clock, bool draw) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();

    const double now = now_ms() / 1000.0;
    FrameInfo    info;
    info.frame = status.frames;
    info.time  = now - clock.start;
    info.dt    = float(now - clock.last);
    clock.last = now;
    SDL_GL_GetDrawableSize(window, &info.width, &info.height);
    app_frame(app, info);

    ImGui::Render();
    if (!draw) return;
    glViewport(0, 0, info.width, info.height);
    glClearColor(kCanvasColor[0], kCanvasColor[1], kCanvasColor[2], 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    status.frames++;
    status.fps    = ImGui::GetIO().Framerate;
    status.width  = info.width;
    status.height = info.height;
}

std::string platform_state_json(const PlatformStatus& s, const AppState* app) {
    nlohmann::json j;
    j["ready"]    = s.ready;
    j["version"]  = lenet::kVersion;
    j["platform"] = s.platform;
    j["frames"]   = s.frames;
    j["fps"]      = std::isfinite(s.fps) ? std::round(s.fps * 10.0) / 10.0 : 0.0;
    j["width"]    = s.width;
    j["height"]   = s.height;
    j["error"]    = s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error);
    j["app"]      = nlohmann::json::object();
    if (app) {
        try {
            j["app"] = nlohmann::json::parse(app_state_json(*app));
        } catch (const std::exception& e) {
            j["app"] = {{"error", std::string("app_state_json: ") + e.what()}};
        }
    }
    return j.dump();
}

std::string platform_command(AppState* app, const std::string& json) {
    if (!app) return R"({"ok":false,"error":"the app is not running"})";
    try {
        return app_command(*app, json);
    } catch (const std::exception& e) {
        return nlohmann::json({{"ok", false}, {"error", e.what()}}).dump();
    }
}
