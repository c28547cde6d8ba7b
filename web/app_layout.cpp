// web/app_layout.cpp — the app's one full-screen window: three columns at desktop sizes (input |
// layer and its activations or the output | weights, trace and training tabs), one scrolling
// column on a phone (narrower than 900 CSS pixels), the notices above, and the summary window.
#include "app.h"
#include "panels/wrapped.h"

#include <algorithm>

namespace {

void draw_notices(AppState& app) {
    for (size_t i = 0; i < app.notices.size();) {
        ImGui::PushID(int(i));
        bool close = ImGui::SmallButton("x");
        ImGui::SameLine();
        text_wrapped_colored(theme::kNotice, "%s", app.notices[i].c_str());
        ImGui::PopID();
        if (close) app.notices.erase(app.notices.begin() + long(i));
        else ++i;
    }
}

// One scrolling column (phone): every panel one after the other. Touch has no wheel, so a drag on
// the window background scrolls it.
void layout_stacked(AppState& app) {
    draw_top_panel(app);
    draw_notices(app);
    draw_strip_panel(app);
    ImGui::Separator();
    draw_input_panel(app);
    ImGui::Separator();
    if (backward_active(app)) {
        draw_backward_panel(app);
    } else {
        draw_layer_panel(app);
        ImGui::Separator();
        if (app.view == view_count(app) - 1) draw_output_panel(app);
        else draw_activations_panel(app);
    }
    ImGui::Separator();
    if (ImGui::CollapsingHeader("Weights", ImGuiTreeNodeFlags_DefaultOpen))
        backward_active(app) ? draw_backward_weights_panel(app) : draw_weights_panel(app);
    if (ImGui::CollapsingHeader("Trace a unit", ImGuiTreeNodeFlags_DefaultOpen)) draw_trace_panel(app);
    if (ImGui::CollapsingHeader("Train")) draw_train_panel(app);
    if (app.lab.focus) ImGui::SetNextItemOpen(true);  // a lab= link opens the Lab
    if (ImGui::CollapsingHeader("Lab")) draw_lab_panel(app);
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && ImGui::IsMouseDragging(0) &&
        !ImGui::IsAnyItemActive())
        ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
}

void layout_wide(AppState& app) {
    draw_top_panel(app);
    draw_notices(app);
    draw_strip_panel(app);
    const float avail_w = ImGui::GetContentRegionAvail().x, avail_h = ImGui::GetContentRegionAvail().y;
    const float left_w = std::clamp(avail_w * 0.24f, 250.0f, 330.0f);
    const float right_w = std::clamp(avail_w * 0.32f, 300.0f, 520.0f);
    const float mid_w = std::max(200.0f, avail_w - left_w - right_w - 2 * ImGui::GetStyle().ItemSpacing.x);

    ImGui::BeginChild("##input", ImVec2(left_w, avail_h), true);
    draw_input_panel(app);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##layer", ImVec2(mid_w, avail_h), true);
    if (backward_active(app)) {
        draw_backward_panel(app);  // a training step after OUTPUT
    } else {
        draw_layer_panel(app);
        ImGui::Separator();
        if (app.view == view_count(app) - 1) draw_output_panel(app);
        else draw_activations_panel(app);
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##details", ImVec2(0, avail_h), true);
    if (ImGui::BeginTabBar("##tabs")) {
        if (ImGui::BeginTabItem("Weights")) {
            if (backward_active(app)) draw_backward_weights_panel(app);
            else draw_weights_panel(app);
            ImGui::EndTabItem();
        }
        ImGuiTabItemFlags trace_flags = app.focus_trace ? ImGuiTabItemFlags_SetSelected : 0;
        app.focus_trace = false;
        if (ImGui::BeginTabItem("Trace a unit", nullptr, trace_flags)) {
            draw_trace_panel(app);
            ImGui::EndTabItem();
        }
        const ImGuiTabItemFlags train_flags = app.focus_train ? ImGuiTabItemFlags_SetSelected : 0;
        app.focus_train = false;
        if (ImGui::BeginTabItem("Train", nullptr, train_flags)) {
            draw_train_panel(app);
            ImGui::EndTabItem();
        }
        draw_lab_tab(app);  // invariance, top digits (panels/lab_panel.cpp)
        ImGui::EndTabBar();
    }
    ImGui::EndChild();
}

}  // namespace

void draw_layout(AppState& app) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    app.stacked = vp->Size.x < 900.0f;
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                                   (app.stacked ? 0 : ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    if (ImGui::Begin("LeNet-5 Explorer", nullptr, flags)) {
        if (app.stacked) layout_stacked(app);
        else layout_wide(app);
    }
    ImGui::End();
    ImGui::PopStyleVar();
    if (app.show_summary) draw_summary_panel(app);
    draw_eval_window(app);
    draw_files_window(app);
}
