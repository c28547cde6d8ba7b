// web/panels/strip_panel.cpp — the network as a strip of layer blocks (INPUT C1 S2 C3 S4 C5 F6
// OUTPUT) with their shapes, the current one highlighted, and the stepping controls.
#include "app.h"

#include <algorithm>
#include <string>

void draw_strip_panel(AppState& app) {
    const int n = view_count(app);
    const float gap = 14.0f;
    const float avail = ImGui::GetContentRegionAvail().x;
    const int per_row = app.stacked ? std::min(n, 4) : n;
    const float w = std::min(120.0f, (avail - gap * float(per_row - 1)) / float(per_row));
    for (int v = 0; v < n; ++v) {
        if (v % per_row != 0) {
            ImGui::SameLine(0, 0);
            ImVec2 p = ImGui::GetCursorScreenPos();
            ImGui::GetWindowDrawList()->AddTriangleFilled(ImVec2(p.x + 3, p.y + 14), ImVec2(p.x + 3, p.y + 30),
                                                          ImVec2(p.x + gap - 3, p.y + 22), IM_COL32(140, 150, 170, 255));
            ImGui::Dummy(ImVec2(gap, 44));
            ImGui::SameLine(0, 0);
        }
        const bool current = v == app.view;
        const bool done = v <= app.view;
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
    ImGui::TextDisabled("keys: Left/Right, Home/End, Space  |  step %d of %d, %ld layer runs  |  frame %.1f ms (app %.2f ms)", app.view + 1, n, app.steps_run,
                        app.stats.frame_ms, app.stats.app_ms);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Keys: Left/Right step, Home/End, Space play/pause.\n"
                          "layer runs = forward_layer calls made by stepping.\n"
                          "Frame time averaged over the last 120 frames; app = time spent in the app's own code\n"
                          "per frame (engine + UI building); its worst frame: %.2f ms.", app.stats.app_ms_max);
}
