// web/assets_web.cpp — the page's run-time data (web/platform.h): asks the page's loader
// (web/assets.js, Module["lenetAssets"]) what has arrived in the in-memory file system.
#include "platform.h"

#include <emscripten.h>

#include <nlohmann/json.hpp>

namespace {

// {"state": "ready"|"loading"|"failed"|"absent", "progress": 0..1, "error": "..."} of one file, and
// the manifest's entries under a folder as [{"path", "arch"}], both as JSON text (malloc'ed).
EM_JS(char*, js_asset_status, (const char* path), {
  var s = Module["lenetAssets"] ? Module["lenetAssets"]["status"](UTF8ToString(path)) : {"state": "absent"};
  var text = JSON.stringify(s);
  var n = lengthBytesUTF8(text) + 1, p = _malloc(n);
  stringToUTF8(text, p, n);
  return p;
});
EM_JS(char*, js_asset_files, (const char* dir), {
  var files = Module["lenetAssets"] ? Module["lenetAssets"]["files"](UTF8ToString(dir)) : [];
  var text = JSON.stringify(files);
  var n = lengthBytesUTF8(text) + 1, p = _malloc(n);
  stringToUTF8(text, p, n);
  return p;
});
EM_JS(void, js_asset_request, (const char* path), {
  if (Module["lenetAssets"]) Module["lenetAssets"]["request"](UTF8ToString(path));
});
EM_JS(void, js_asset_retry, (), {
  if (Module["lenetAssets"]) Module["lenetAssets"]["retry"]();
});
EM_JS(void, js_asset_reload, (const char* path), {
  if (Module["lenetAssets"]) Module["lenetAssets"]["reload"](UTF8ToString(path));
});

nlohmann::json take_json(char* text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    free(text);
    return j;
}

}  // namespace

AssetStatus platform_asset(const AppConfig&, const std::string& path) {
    const nlohmann::json j = take_json(js_asset_status(path.c_str()));
    AssetStatus s;
    const std::string state = j.value("state", "absent");
    s.state = state == "ready" ? AssetState::Ready
            : state == "loading" ? AssetState::Loading
            : state == "failed" ? AssetState::Failed : AssetState::Absent;
    s.progress = j.value("progress", 0.0f);
    s.error = j.value("error", "");
    return s;
}

void platform_asset_request(const std::string& path) { js_asset_request(path.c_str()); }
void platform_asset_retry() { js_asset_retry(); }
void platform_asset_reload(const std::string& path) { js_asset_reload(path.c_str()); }

std::vector<AssetFile> platform_asset_files(const AppConfig&, const std::string& dir) {
    std::vector<AssetFile> files;
    const nlohmann::json j = take_json(js_asset_files(dir.c_str()));
    if (j.is_array())
        for (const nlohmann::json& f : j) files.push_back({f.value("path", ""), f.value("arch", "")});
    return files;
}
