// web/main_web.cpp — the browser platform: SDL2 on Emscripten with a WebGL2 context on #canvas,
// the browser-driven main loop, and the C functions behind window.lenet (web/lenet_api.js).
// The canvas follows its CSS size (the shell makes it fill the page). Single-threaded.
#include "platform.h"

#include <SDL.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>

#include <lenet/lenet.h>

#include <exception>
#include <memory>
#include <string>

namespace {

// Hooks defined by the page (web/shell.js); absent when another page embeds index.js.
EM_JS(void, js_fatal, (const char* message), { if (Module["lenetFatal"]) Module["lenetFatal"](UTF8ToString(message)); });
EM_JS(void, js_ready, (), { if (Module["lenetReady"]) Module["lenetReady"](); });
EM_JS(void, js_announce, (const char* text), { if (Module["lenetAnnounce"]) Module["lenetAnnounce"](UTF8ToString(text)); });
// The page's location.hash (deep link) into buf (UTF-8, NUL-terminated, cut to size).
EM_JS(void, js_location_hash, (char* buf, int size), {
  stringToUTF8(String(window.location.hash || ""), buf, size);
});

// The user's files (web/shell.js): a download of bytes, and the hidden file input's picker.
EM_JS(void, js_download, (const char* name, const uint8_t* data, int size), {
  if (Module["lenetDownload"]) Module["lenetDownload"](UTF8ToString(name), HEAPU8.slice(data, data + size));
});
EM_JS(void, js_pick_model_file, (), { if (Module["lenetPickModelFile"]) Module["lenetPickModelFile"](); });

struct WebPlatform {
    SDL_Window*    window = nullptr;
    SDL_GLContext  gl = nullptr;
    AppState*      app = nullptr;
    PlatformStatus status;
    FrameClock     clock;
    std::string    reply;  // storage for the strings returned to JS
    std::unique_ptr<lenet::Dataset> bench_data;  // lenet_bench_json's digits, loaded on first use
};
WebPlatform g;

// Show the page's error panel (web/shell.js) and stop the main loop.
void fail(const std::string& message) {
    g.status.error = message;
    js_fatal(message.c_str());
    emscripten_cancel_main_loop();
}

void canvas_css_size(int* w, int* h) {
    double cw = 0, ch = 0;
    emscripten_get_element_css_size("#canvas", &cw, &ch);
    *w = cw >= 1 ? int(cw) : 1024;
    *h = ch >= 1 ? int(ch) : 768;
}

// One frame of the app (platform_frame). draw: rendered into the canvas (the browser presents it
// when the callback returns); else only laid out. False: the app failed (the page shows the error).
bool app_pass(bool draw) {
    SDL_Event event;
    while (SDL_PollEvent(&event)) platform_event(g.app, event);
    try {
        platform_frame(g.window, *g.app, g.status, g.clock, draw);
    } catch (const std::exception& e) {
        fail(std::string("The app stopped: ") + e.what());
        return false;
    }
    return true;
}

void frame(void*) {
    int cw, ch, ww, wh;
    canvas_css_size(&cw, &ch);
    SDL_GetWindowSize(g.window, &ww, &wh);
    if (cw != ww || ch != wh) SDL_SetWindowSize(g.window, cw, ch);

    // ImGui hides auto-sized windows during their first frame. The first callback lays the app out
    // once before it draws, so the first frame the browser presents shows the whole app: the page
    // is ready one frame earlier, 0.2-0.3 s in headless Chromium, where presenting the first WebGL
    // frame (its shaders compiled in software) holds the next callback back that long.
    if (g.status.frames == 0 && !app_pass(false)) return;
    if (!app_pass(true)) return;

    if (!g.status.ready) {
        g.status.ready = true;
        js_ready();
    }
}

}  // namespace

void platform_announce(const std::string& text) {
    js_announce(text.c_str());
}

void platform_download(const std::string& name, const std::vector<uint8_t>& bytes) {
    js_download(name.c_str(), bytes.data(), int(bytes.size()));
}
void platform_pick_model_file() { js_pick_model_file(); }

extern "C" {
// window.lenet.state(): see platform_state_json() in web/platform.h.
EMSCRIPTEN_KEEPALIVE const char* lenet_state_json() {
    g.reply = platform_state_json(g.status, g.app);
    return g.reply.c_str();
}
// window.lenet.command(obj): see app_command() in web/platform.h.
EMSCRIPTEN_KEEPALIVE const char* lenet_command(const char* json) {
    g.reply = platform_command(g.app, json ? json : "");
    return g.reply.c_str();
}
// window.lenet.loadModel(arrayBuffer, filename): a model file's bytes (web/app_files.h).
EMSCRIPTEN_KEEPALIVE const char* lenet_load_model(const uint8_t* bytes, int size, const char* filename) {
    if (!g.app) return "{\"ok\": false, \"error\": \"the app is still loading\"}";
    g.reply = app_load_model(*g.app, bytes, size_t(size < 0 ? 0 : size), filename ? filename : "");
    return g.reply.c_str();
}
// window.lenet.bench(arch): the speed figures of `lenet5 bench` (docs/performance.md) measured in this
// page on the packaged MNIST test digits, single-threaded; blocks the page for a few seconds.
EMSCRIPTEN_KEEPALIVE const char* lenet_bench_json(const char* arch) {
    try {
        if (!g.bench_data)
            g.bench_data = std::make_unique<lenet::Dataset>(
                lenet::load_dataset_dir("/assets/data/mnist", "test", 10000, "mnist"));
        lenet::BenchOptions bo;
        bo.threads = 1;
        g.reply = lenet::bench_json(lenet::bench(arch && *arch ? arch : "lenet5", *g.bench_data, bo));
    } catch (const std::exception& e) {
        std::string m;
        for (const char* c = e.what(); *c; ++c) {
            if (*c == '"' || *c == '\\') m += '\\';
            if (static_cast<unsigned char>(*c) >= 0x20) m += *c;
        }
        g.reply = "{\"error\": \"" + m + "\"}";
    }
    return g.reply.c_str();
}
}

int main() {
    g.status.platform = "web";
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        fail(std::string("SDL could not start: ") + SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);  // WebGL2
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 8);

    int w, h;
    canvas_css_size(&w, &h);
    g.window = SDL_CreateWindow("LeNet-5 Explorer", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, w, h,
                                SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE);
    if (g.window) g.gl = SDL_GL_CreateContext(g.window);
    if (!g.window || !g.gl) {
        fail(std::string("Could not create a WebGL2 context: ") + SDL_GetError());
        return 1;
    }
    SDL_GL_MakeCurrent(g.window, g.gl);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini in the browser's in-memory file system
    ImGui::StyleColorsDark();
    ImGui_ImplSDL2_InitForOpenGL(g.window, g.gl);
    ImGui_ImplOpenGL3_Init("#version 300 es");

    AppConfig config;
    config.platform     = "web";
    config.asset_dir    = "/assets";  // where web/assets.js writes the data files (cmake/LenetAssets.cmake)
    config.glsl_version = "#version 300 es";
    {
        std::string hash(4096, '\0');
        js_location_hash(&hash[0], int(hash.size()));
        config.hash = hash.c_str();
    }
    try {
        g.app = app_create(config);
    } catch (const std::exception& e) {
        fail(std::string("The app could not start: ") + e.what());
        return 1;
    }
    g.clock = frame_clock_start();
    emscripten_set_main_loop_arg(frame, nullptr, 0, true);  // returns only through the browser
    return 0;
}
