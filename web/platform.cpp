// web/platform.cpp — code shared by main_web.cpp and main_desktop.cpp: the state JSON that
// window.lenet.state() returns, and exception-safe command dispatch.
#include "platform.h"

#include <lenet/lenet.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <exception>

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
