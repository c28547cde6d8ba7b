// web/app_keys.cpp — what moves the step without a click: the keyboard shortcuts (Left/Right step,
// Home/End, Space play/pause) and playback (one step every play_interval seconds).
#include "app.h"

void handle_keys(AppState& app) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) { app.arrow_frames[0] = app.arrow_frames[1] = 0; return; }
    // Left/Right step once per press and repeat while held, but a repeat needs the key down for at
    // least 3 frames as well as ImGui's repeat delay: when frames are slower than the delay (a busy
    // phone or software GL), one tap would otherwise step twice.
    const ImGuiKey arrows[2] = {ImGuiKey_LeftArrow, ImGuiKey_RightArrow};
    for (int k = 0; k < 2; ++k) {
        const int key = ImGui::GetKeyIndex(arrows[k]);
        int& held = app.arrow_frames[k];
        held = ImGui::IsKeyDown(key) ? held + 1 : 0;
        if (held == 1 || (held >= 3 && ImGui::IsKeyPressed(key, true))) step_view(app, k == 0 ? -1 : +1);
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) set_view(app, 0);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) run_to_output(app);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) toggle_play(app);
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
