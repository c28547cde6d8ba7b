// web/panels/output_panel.cpp — the OUTPUT step: for the paper's RBF output, F6's 84 outputs drawn
// as a 7x12 bitmap beside the ten fixed prototypes with the distance to each (the smallest wins,
// Section II.B eq. 7); for a linear output, the softmax probabilities. Scores as a bar chart.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

void bar_chart(AppState& app, const std::vector<float>& scores, bool distances, int best) {
    const float avail = ImGui::GetContentRegionAvail().x;
    const float label_w = app.dataset == "fashion" ? 90.0f : 24.0f, value_w = 70.0f;
    const float bar_max = std::max(40.0f, avail - label_w - value_w - 16.0f);
    float maxv = 1e-6f;
    for (float v : scores) maxv = std::max(maxv, v);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float h = ImGui::GetTextLineHeight();
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 1.0f));
    for (size_t i = 0; i < scores.size(); ++i) {
        ImGui::PushID(int(i));
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const std::string name = class_name(app, int(i));
        dl->AddText(p, ImGui::GetColorU32(int(i) == best ? theme::kWinner : theme::kBarLabel), name.c_str());
        const float len = distances ? bar_max * scores[i] / maxv : bar_max * std::clamp(scores[i], 0.0f, 1.0f);
        const ImVec2 b0(p.x + label_w, p.y + 2), b1(p.x + label_w + std::max(1.0f, len), p.y + h - 1);
        dl->AddRectFilled(b0, b1, int(i) == best ? IM_COL32(40, 190, 100, 255) : IM_COL32(90, 120, 170, 255));
        char v[32];
        std::snprintf(v, sizeof v, distances ? "%.2f" : "%.2f%%", double(distances ? scores[i] : 100.0f * scores[i]));
        dl->AddText(ImVec2(p.x + label_w + bar_max + 8, p.y), ImGui::GetColorU32(theme::kBarValue), v);
        if (ImGui::InvisibleButton("##bar", ImVec2(label_w + bar_max + value_w, h))) {
            app.unit_map = int(i);
            app.unit_y = app.unit_x = 0;
            app.focus_trace = true;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("class %s: %s %.4f (click to trace this output unit)", name.c_str(),
                                                      distances ? "distance" : "probability", double(scores[i]));
        ImGui::PopID();
    }
    ImGui::PopStyleVar();
}

}  // namespace

void draw_output_panel(AppState& app) {
    const int last = view_count(app) - 1;
    const lenet::LayerInfo& L = app.net->layers().back();
    const float* y = view_data(app, last, false);
    if (!y) {
        ImGui::TextDisabled("Not computed yet.");
        return;
    }
    std::vector<float> scores(y, y + L.out.c);
    const bool distances = penalty_output(app);
    const int best = app.net->best_label(y);
    if (!distances && app.net->spec().loss == lenet::LossKind::Xent) scores = app.prediction.scores;  // softmax

    ImGui::Text("Result: ");
    ImGui::SameLine();
    ImGui::SetWindowFontScale(1.5f);
    ImGui::TextColored(theme::kGood, "%s", class_name(app, best).c_str());
    ImGui::SetWindowFontScale(1.0f);
    if (app.source == InputSource::Test && app.test.count > 0) {
        ImGui::SameLine();
        const int truth = app.test.labels[size_t(app.sample)];
        ImGui::TextColored(truth == best ? theme::kGood : theme::kBad, "(true label %s: %s)",
                           class_name(app, truth).c_str(), truth == best ? "correct" : "wrong");
    }
    if (L.type == lenet::LayerType::Rbf && L.in.size() == 84) {
        text_wrapped("Each output unit computes the squared Euclidean distance between F6's 84 outputs and its "
                     "class's fixed 7x12 prototype. The smallest distance wins.");
        const float cell = std::clamp(std::floor((ImGui::GetContentRegionAvail().x - 140.0f) / 80.0f), 2.0f, 7.0f);
        ImGui::BeginGroup();
        ImGui::TextDisabled("F6 output");
        const ColorScale s{ColorMode::Diverging, -1.0f, 1.0f};  // the prototypes' scale, to compare by eye
        ImVec2 uv;
        if (draw_heatmap(app, "##f6", app.tex.f6, ImVec2(7 * cell, 12 * cell), ImVec2(0, 0), ImVec2(1, 1), s, &uv)) {
            const int x = int(uv.x * 7), yy = int(uv.y * 12);
            ImGui::SetTooltip("F6 unit %d = %.4f\n(colours from -1 blue to +1 red, as the prototypes)", yy * 7 + x,
                              double(heatmap_value(app.tex.f6, size_t(yy) * 7 + x)));
        }
        ImGui::EndGroup();
        ImGui::SameLine(0, 16);
        ImGui::BeginGroup();
        ImGui::TextDisabled("prototypes and distances");
        std::vector<float> d(y, y + L.out.c);
        draw_prototypes(app, cell, &d, best);
        ImGui::EndGroup();
    }
    ImGui::Separator();
    ImGui::Text("%s", distances ? "Distances (smaller = better):" : "Probabilities (softmax of the 10 outputs):");
    bar_chart(app, scores, distances, best);
}
