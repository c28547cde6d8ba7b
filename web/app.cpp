// web/app.cpp — LeNet-5 Explorer, the shared app (web and desktop): start-up (the UI font, the test
// set, the shipped weights, the first network and input, the deep link), shut-down, and the order
// of one frame (app_frame; the steps are described in app.h). The JSON interface is app_api.cpp.
#include "app.h"

#include <cstdio>

namespace {

// DejaVu Sans from the asset folder (before the first frame: the backend builds the font atlas
// then); ImGui's built-in font if the file is missing.
void load_font(AppState& app) {
    // Read in 64 KB freads: a character-by-character read is slow in wasm.
    std::FILE* f = std::fopen((app.config.asset_dir + "/fonts/ui.ttf").c_str(), "rb");
    if (!f) return;
    char chunk[65536];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0 && app.font_data.size() < (64u << 20))
        app.font_data.insert(app.font_data.end(), chunk, chunk + got);
    std::fclose(f);
    if (app.font_data.size() < 1024) return;
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;  // app.font_data outlives the atlas
    cfg.OversampleH = 2;
    ImGui::GetIO().Fonts->AddFontFromMemoryTTF(app.font_data.data(), int(app.font_data.size()), 15.0f, &cfg);
}

}  // namespace

AppState* app_create(const AppConfig& config) {
    auto app = std::make_unique<AppState>();
    app->config = config;
    app->presets = lenet::arch_preset_names();
    app->pad.ink.assign(size_t(DrawPad::kSize) * DrawPad::kSize, 0.0f);
    load_font(*app);
    apply_theme();
    gl_init(*app);
    try {
        select_dataset(*app, "mnist");
    } catch (const lenet::Error& e) {
        app->data_error = e.what();  // shown in the input panel; drawing still works
        app->class_names = lenet::class_names("mnist");
        app->source = InputSource::Draw;
    }
    // The shipped weights files, then the network (select_arch picks the matching weights file,
    // or a seeded init shown as "untrained").
    scan_weights(*app);
    select_arch(*app, "lenet5-1998");
    if (app->source == InputSource::Test && app->test.count > 0) set_sample(*app, 0);
    else set_drawn_input(*app);
    if (!config.hash.empty()) apply_hash(*app, config.hash);
    app->hash = make_hash(*app);
    return app.release();
}

void app_destroy(AppState* app) {
    if (!app) return;
    free_textures(*app);
    gl_shutdown(*app);
    delete app;
}

void app_frame(AppState& app, const FrameInfo& frame) {
    const double t0 = now_ms();
    app.shader_calls.clear();  // the previous frame has been rendered
    app.interacted = false;
    app.pad.size = ImVec2(0, 0);  // set again if the pad is drawn this frame

    if (app.debug_sleep_ms > 0) {  // a slow device on purpose (tests): busy, as a slow frame is
        while (now_ms() - t0 < app.debug_sleep_ms) {}
    }
    // 1. What changes the state without a click.
    update_data(app);
    handle_keys(app);
    advance_playback(app, frame.dt);
    scan_misclassified(app, 6);
    train_tick(app);
    eval_tick(app);
    lab_tick(app);
    // 2. The textures, once, for everything drawn below.
    refresh_textures(app);
    // 3. The panels.
    draw_layout(app);
    // 4. What the frame leaves behind.
    app.hash = make_hash(app);
    update_frame_stats(app, frame, now_ms() - t0);
}
