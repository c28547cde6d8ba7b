// web/panels/strip_panel.cpp — the network as a strip of layer blocks (INPUT C1 S2 C3 S4 C5 F6
// OUTPUT) with their shapes, then the training steps in violet (LOSS after OUTPUT, the backward steps
// right to left under the layers, UPDATE under INPUT), the current one highlighted, and the stepping
// controls.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace {

constexpr float kGap = 14.0f;  // between two blocks, with the arrow

// An arrow in the gap at the cursor, pointing right (or left), for a block `h` high.
void arrow(bool right, float h) {
    ImGui::SameLine(0, 0);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float y = p.y + h * 0.5f;
    const ImU32 col = IM_COL32(140, 150, 170, 255);
    if (right) ImGui::GetWindowDrawList()->AddTriangleFilled(ImVec2(p.x + 3, y - 8), ImVec2(p.x + 3, y + 8), ImVec2(p.x + kGap - 3, y), col);
    else ImGui::GetWindowDrawList()->AddTriangleFilled(ImVec2(p.x + kGap - 3, y - 8), ImVec2(p.x + kGap - 3, y + 8), ImVec2(p.x + 3, y), col);
    ImGui::Dummy(ImVec2(kGap, h));
    ImGui::SameLine(0, 0);
}

// A forward view's block: name and shape.
void view_block(AppState& app, int v, float w) {
    const bool current = !backward_active(app) && v == app.view;
    const bool done = backward_active(app) || v <= app.view;
    std::string label = view_name(app, v) + "\n" + lenet::shape_str(view_shape(app, v)) + "##strip" + std::to_string(v);
    ImGui::PushStyleColor(ImGuiCol_Button, current ? theme::kStripCurrent : done ? theme::kStripDone : theme::kStripTodo);
    if (current) ImGui::PushStyleColor(ImGuiCol_Text, theme::kStripCurrentText);  // dark on orange
    if (ImGui::Button(label.c_str(), ImVec2(w, 44))) set_view(app, v);
    ImGui::PopStyleColor(current ? 2 : 1);
    if (ImGui::IsItemHovered()) {
        if (v == 0) ImGui::SetTooltip("INPUT: the %s image", lenet::shape_str(view_shape(app, 0)).c_str());
        else {
            const lenet::LayerInfo& L = app.net->layers()[size_t(v - 1)];
            ImGui::SetTooltip("%s (%s): %s -> %s\n%s parameters, %s connections", L.name.c_str(),
                              lenet::layer_type_name(L.type), lenet::shape_str(L.in).c_str(),
                              lenet::shape_str(L.out).c_str(), fmt_int(L.params).c_str(),
                              fmt_int(L.connections).c_str());
        }
    }
}

// A training step's block (LOSS, a backward step, UPDATE), in the training steps' colours.
void train_block(AppState& app, int step, float w, float h) {
    const int cur = backward_active(app) ? app.backward.step : -1;
    const int index = view_count(app) + step;
    const bool current = step == cur;
    std::string label = step_name(app, index) + "##back" + std::to_string(step);
    ImGui::PushStyleColor(ImGuiCol_Button, current ? theme::kStripBackCurrent : step < cur ? theme::kStripBackDone : theme::kStripBackTodo);
    if (current) ImGui::PushStyleColor(ImGuiCol_Text, theme::kStripCurrentText);
    if (ImGui::Button(label.c_str(), ImVec2(w, h))) set_backward_step(app, step);
    ImGui::PopStyleColor(current ? 2 : 1);
    if (ImGui::IsItemHovered()) {
        const int n = view_count(app) + 1;
        if (step == 0) ImGui::SetTooltip("LOSS: how wrong the output is for this digit's label (%s)", lenet::loss_name(app.net->spec().loss));
        else if (step == n) ImGui::SetTooltip("UPDATE: every weight takes one step against its gradient\n(arriving here changes the weights)");
        else ImGui::SetTooltip("%s: the backward pass through %s: dE/d(output) %s, and the gradient of its weights",
                               step_name(app, index).c_str(), view_name(app, n - step).c_str(),
                               lenet::shape_str(step_shape(app, index)).c_str());
    }
}

}  // namespace

void draw_strip_panel(AppState& app) {
    const int n = view_count(app), nb = n + 1;  // forward views; training steps (LOSS .. UPDATE)
    const float avail = ImGui::GetContentRegionAvail().x;
    if (app.stacked) {  // rows of 4: the forward views, then the training steps in order
        const int per_row = std::min(n, 4);
        const float w = std::min(120.0f, (avail - kGap * float(per_row - 1)) / float(per_row));
        for (int v = 0; v < n; ++v) {
            if (v % per_row != 0) arrow(true, 44);
            view_block(app, v, w);
        }
        for (int s = 0; s < nb; ++s) {
            if (s % per_row != 0) arrow(true, 30);
            train_block(app, s, w, 30);
        }
    } else {
        // Row 1: INPUT -> ... -> OUTPUT -> LOSS. Row 2, right to left under it: OUTPUT' under OUTPUT
        // back to C1' under C1, and UPDATE under INPUT.
        const float w = std::min(120.0f, (avail - kGap * float(n)) / float(n + 1));
        for (int v = 0; v < n; ++v) {
            if (v) arrow(true, 44);
            view_block(app, v, w);
        }
        arrow(true, 44);
        train_block(app, 0, w, 44);
        for (int s = nb - 1; s >= 1; --s) {
            if (s != nb - 1) arrow(false, 30);
            train_block(app, s, w, 30);
        }
        arrow(false, 30);
        ImGui::NewLine();
    }
    // Controls. Keys: Left/Right, Home/End, Space (handled in app_keys.cpp).
    if (ImGui::Button("|< Home")) set_view(app, 0);
    ImGui::SameLine();
    if (ImGui::Button("< Prev")) step_view(app, -1);
    ImGui::SameLine();
    if (ImGui::Button("Next >")) step_view(app, +1);
    if (!app.stacked) ImGui::SameLine();
    if (ImGui::Button(app.playing ? "Pause" : "Play")) toggle_play(app);
    ImGui::SameLine();
    if (ImGui::Button("Run to output >|")) run_to_output(app);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::SliderFloat("s/step", &app.play_interval, 0.2f, 2.0f, "%.1f");
    if (!app.stacked) ImGui::SameLine();
    char status[160];
    std::snprintf(status, sizeof status,
                  "keys: Left/Right, Home/End, Space  |  step %d of %d, %ld layer runs  |  frame %.1f ms (app %.2f ms)",
                  step_index(app) + 1, step_count(app), app.steps_run, app.stats.frame_ms, app.stats.app_ms);
    if (app.stacked) text_wrapped_disabled("%s", status);  // a phone is narrower than this line
    else ImGui::TextDisabled("%s", status);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Keys: Left/Right step, Home/End, Space play/pause.\n"
                          "layer runs = forward_layer calls made by stepping.\n"
                          "Frame time averaged over the last 120 frames; app = time spent in the app's own code\n"
                          "per frame (engine + UI building); its worst frame: %.2f ms.", app.stats.app_ms_max);
}
