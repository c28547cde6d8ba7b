// web/app_keys.cpp — what moves the step without a click: the keyboard shortcuts (Left/Right step,
// Home/End, Space play/pause) and playback (one step every play_interval seconds).
#include "app.h"

namespace {

constexpr size_t kMaxQueuedKeys = 256;  // presses kept between two frames (a stalled tab drops the rest)

void act_on(AppState& app, AppKey key) {
    switch (key) {
        case AppKey::Left: step_view(app, -1); break;
        case AppKey::Right: step_view(app, +1); break;
        case AppKey::Home: set_view(app, 0); break;
        case AppKey::End: run_to_output(app); break;
        case AppKey::Space: toggle_play(app); break;
    }
}

}  // namespace

void app_key_pressed(AppState& app, AppKey key) {
    if (app.key_presses.size() < kMaxQueuedKeys) app.key_presses.push_back(key);
}

void handle_keys(AppState& app) {
    // Every press since the last frame, from the platform's key events: ImGui samples whether a key
    // is down once per frame, so a tap that goes down and up between two frames would be missed.
    std::vector<AppKey> presses;
    presses.swap(app.key_presses);
    if (ImGui::GetIO().WantTextInput) { app.arrow_frames[0] = app.arrow_frames[1] = 0; return; }
    for (AppKey key : presses) act_on(app, key);
    // Hold-to-repeat: Left/Right held down step again at ImGui's key-repeat rate. A repeat needs the
    // key down for at least 3 frames as well as ImGui's repeat delay: when frames are slower than
    // the delay (a busy phone or software GL), one tap would otherwise step twice.
    const ImGuiKey arrows[2] = {ImGuiKey_LeftArrow, ImGuiKey_RightArrow};
    for (int k = 0; k < 2; ++k) {
        const int key = ImGui::GetKeyIndex(arrows[k]);
        int& held = app.arrow_frames[k];
        held = ImGui::IsKeyDown(key) ? held + 1 : 0;
        if (held >= 3 && ImGui::IsKeyPressed(key, true)) step_view(app, k == 0 ? -1 : +1);
    }
}

void toggle_play(AppState& app) {
    app.playing = !app.playing;
    if (app.playing && app.view == view_count(app) - 1) set_view(app, 0);
    app.play_clock = 0.0;
}

void advance_playback(AppState& app, float dt) {
    if (!app.playing) return;
    app.play_clock += dt;
    if (app.play_clock >= app.play_interval) {
        app.play_clock = 0.0;
        step_view(app, +1);
        if (app.view >= view_count(app) - 1) app.playing = false;
    }
}
