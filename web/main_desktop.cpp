// web/main_desktop.cpp — the desktop platform: an SDL2 window with an OpenGL ES 3.0 context (the
// same GL dialect as WebGL2, so app shaders are shared), a plain main loop, and flags for tests:
//   --frames N         render N frames, then exit (0 = run until the window is closed)
//   --screenshot FILE  after the last frame, write the framebuffer to FILE as PNG (needs --frames)
//   --print-state      print the state JSON (as window.lenet.state() would return) on exit
//   --size WxH         window size (default 1280x800)
//   --assets DIR       asset folder (default: "assets" next to the executable)
//   --hash STATE       initial view, as the web page's URL hash ("#layer=C3&sample=7")
//   --command JSON     run a window.lenet.command object after start-up (repeatable, in order); its
//                      reply is printed, and a refused command ends the app with status 1
// Exit status: 0 on success, 1 on a runtime failure, 2 on bad arguments.
#include "platform.h"

#include <GLES3/gl3.h>
#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>
#include <lenet/lenet.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC  // private copy: the engine may link its own stb
#include <stb/stb_image_write.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Options {
    long        frames = 0;
    std::string screenshot;
    bool        print_state = false;
    int         width = 1280, height = 800;
    std::string assets;
    std::string hash;
    std::vector<std::string> commands;
};

int usage_error(const std::string& message) {
    std::fprintf(stderr, "lenet5-explorer: %s\nusage: lenet5-explorer [--frames N] [--screenshot FILE.png] "
                         "[--print-state] [--size WxH] [--assets DIR] [--hash STATE] [--command JSON]\n", message.c_str());
    return 2;
}

// Returns -1 when parsed, otherwise the exit status.
int parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--help" || a == "-h") {
            std::printf("lenet5-explorer — LeNet-5 Explorer, desktop version\n"
                        "  --frames N         render N frames, then exit (default: until closed)\n"
                        "  --screenshot FILE  write the last frame to FILE (PNG); needs --frames\n"
                        "  --print-state      print the app state as JSON on exit\n"
                        "  --size WxH         window size (default 1280x800)\n"
                        "  --assets DIR       asset folder (default: assets/ next to the executable)\n"
                        "  --hash STATE       initial view as a URL hash, e.g. '#layer=C3&sample=7'\n"
                        "  --command JSON     a window.lenet.command object run after start-up, e.g.\n"
                        "                     '{\"cmd\":\"train\"}' (repeatable)\n");
            return 0;
        } else if (a == "--frames") {
            const char* v = value();
            char*       end = nullptr;
            long        n = v ? std::strtol(v, &end, 10) : -1;
            if (!v || *end || n < 0 || n > 100000000) return usage_error("--frames needs a count >= 0");
            o.frames = n;
        } else if (a == "--screenshot") {
            const char* v = value();
            if (!v || !*v) return usage_error("--screenshot needs a file name");
            o.screenshot = v;
        } else if (a == "--print-state") {
            o.print_state = true;
        } else if (a == "--size") {
            const char* v = value();
            if (!v || std::sscanf(v, "%dx%d", &o.width, &o.height) != 2 || o.width < 64 || o.height < 64 ||
                o.width > 8192 || o.height > 8192)
                return usage_error("--size needs WxH, e.g. 1280x800 (64..8192)");
        } else if (a == "--assets") {
            const char* v = value();
            if (!v || !*v) return usage_error("--assets needs a folder");
            o.assets = v;
        } else if (a == "--hash") {
            const char* v = value();
            if (!v) return usage_error("--hash needs a state such as '#layer=C3'");
            o.hash = v;
        } else if (a == "--command") {
            const char* v = value();
            if (!v || !*v) return usage_error("--command needs a JSON object such as '{\"cmd\":\"train\"}'");
            o.commands.push_back(v);
        } else {
            return usage_error("unknown argument '" + a + "'");
        }
    }
    if (!o.screenshot.empty() && o.frames == 0) return usage_error("--screenshot needs --frames N");
    return -1;
}

// Read the back buffer (call before swapping) and write it as PNG, top row first.
bool write_screenshot(const std::string& path, int w, int h) {
    std::vector<unsigned char> rgba(size_t(w) * size_t(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    if (glGetError() != GL_NO_ERROR) return false;
    std::vector<unsigned char> flipped(rgba.size());
    const size_t row = size_t(w) * 4;
    for (int y = 0; y < h; ++y) std::memcpy(&flipped[size_t(y) * row], &rgba[size_t(h - 1 - y) * row], row);
    return stbi_write_png(path.c_str(), w, h, 4, flipped.data(), int(row)) != 0;
}

std::string default_asset_dir() {
    std::string dir = "assets";
    if (char* base = SDL_GetBasePath()) {
        dir = std::string(base) + "assets";
        SDL_free(base);
    }
    return dir;
}

}  // namespace

void platform_announce(const std::string&) {}
// The desktop reads and writes model files by path (the Model files window's path field).
void platform_download(const std::string& name, const std::vector<uint8_t>&) {
    throw lenet::Error(lenet::ErrorKind::Usage, name, "the desktop saves to a path, not as a download");
}
void platform_pick_model_file() {
    throw lenet::Error(lenet::ErrorKind::Usage, "file picker", "the desktop loads from a path");
}

int main(int argc, char** argv) {
    Options o;
    int     rc = parse_args(argc, argv, o);
    if (rc >= 0) return rc;

    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::fprintf(stderr, "lenet5-explorer: SDL could not start: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 8);
    SDL_Window* window = SDL_CreateWindow("LeNet-5 Explorer", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o.width,
                                          o.height, SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_GLContext gl = window ? SDL_GL_CreateContext(window) : nullptr;
    if (!window || !gl) {
        std::fprintf(stderr, "lenet5-explorer: could not open an OpenGL ES 3.0 window: %s\n", SDL_GetError());
        if (window) SDL_DestroyWindow(window);
        SDL_Quit();
        return 1;
    }
    SDL_GL_MakeCurrent(window, gl);
    SDL_GL_SetSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // layout is the app's job; no stray imgui.ini in the cwd
    ImGui::StyleColorsDark();
    ImGui_ImplSDL2_InitForOpenGL(window, gl);
    ImGui_ImplOpenGL3_Init("#version 300 es");

    AppConfig config;
    config.platform     = "desktop";
    config.asset_dir    = o.assets.empty() ? default_asset_dir() : o.assets;
    config.glsl_version = "#version 300 es";
    config.hash         = o.hash;

    PlatformStatus status;
    status.platform = "desktop";
    AppState* app   = nullptr;
    int       exit_code = 0;
    try {
        app = app_create(config);
        for (const std::string& c : o.commands) {
            const std::string reply = platform_command(app, c);
            std::printf("command: %s\n", reply.c_str());
            if (reply.find("\"ok\":true") == std::string::npos) throw std::runtime_error("refused: " + c + " -> " + reply);
        }
        FrameClock clock = frame_clock_start();
        bool       running = true;
        while (running) {
            SDL_Event event;
            while (SDL_PollEvent(&event)) {
                platform_event(app, event);
                if (event.type == SDL_QUIT) running = false;
                if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
                    event.window.windowID == SDL_GetWindowID(window))
                    running = false;
            }
            platform_frame(window, *app, status, clock, true);
            status.ready = status.ready || status.frames >= 2;  // ImGui shows auto-sized windows from frame 2

            bool last_frame = o.frames > 0 && status.frames >= o.frames;
            if (last_frame && !o.screenshot.empty()) {
                if (!write_screenshot(o.screenshot, status.width, status.height)) {
                    std::fprintf(stderr, "lenet5-explorer: could not write the screenshot %s\n", o.screenshot.c_str());
                    exit_code = 1;
                } else {
                    std::printf("screenshot: %s (%dx%d)\n", o.screenshot.c_str(), status.width, status.height);
                }
            }
            SDL_GL_SwapWindow(window);
            if (last_frame) running = false;
        }
    } catch (const std::exception& e) {
        status.error = e.what();
        std::fprintf(stderr, "lenet5-explorer: %s\n", e.what());
        exit_code = 1;
    }
    if (o.print_state) std::printf("%s\n", platform_state_json(status, app).c_str());

    app_destroy(app);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_GL_DeleteContext(gl);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return exit_code;
}
