// web/panels/lab_panel.cpp — the Lab tab (app_lab.h): "Invariance", sliders that transform the
// current input (the prediction and every layer's maps follow at once) and the sweep plot of one
// slider's range (predicted class and confidence at each of its points; a click sets the slider),
// and "Top digits", the test digits that drive one unit highest, found a slice per frame (a click
// loads a digit into the stepping view). The logic is app_lab.cpp.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cstdio>

namespace {

ScreenRect item_rect() { return {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()}; }

// Predicted class (a digit above each point: green when it is the test digit's label, red when
// not) and confidence (the line) across the swept slider's range; the slider's value is marked.
void draw_sweep_plot(AppState& app) {
    LabState& l = app.lab;
    const LabParam& p = kLabParam[l.sweep_param];
    const float w = std::max(160.0f, ImGui::GetContentRegionAvail().x), h = 130.0f, lh = ImGui::GetTextLineHeight();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##sweep", ImVec2(w, h));
    l.plot = item_rect();
    const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 axis = ImGui::GetColorU32(theme::kAxis);
    const float x0 = o.x + 8.0f, x1 = o.x + w - 8.0f, y0 = o.y + lh + 6.0f, y1 = o.y + h - lh - 4.0f;
    auto px = [&](float v) { return x0 + (v - p.lo) / (p.hi - p.lo) * (x1 - x0); };
    dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1), IM_COL32(90, 95, 110, 255));
    const float cur = px(lab_param(l.t, l.sweep_param));
    dl->AddLine(ImVec2(cur, y0), ImVec2(cur, y1), ImGui::GetColorU32(theme::kFocus), 2.0f);
    char s[48];
    std::snprintf(s, sizeof s, "%g%s", double(p.lo), p.unit);
    dl->AddText(ImVec2(x0, y1 + 2.0f), axis, s);
    std::snprintf(s, sizeof s, "%g%s", double(p.hi), p.unit);
    dl->AddText(ImVec2(x1 - ImGui::CalcTextSize(s).x, y1 + 2.0f), axis, s);
    if (l.sweep.empty()) {
        dl->AddText(ImVec2(x0 + 6.0f, y0 + 6.0f), axis, "computing...");
        return;
    }
    float top = 1e-6f;
    for (const SweepPoint& q : l.sweep) top = std::max(top, q.margin);
    const int truth = app.source == InputSource::Test && app.test.count > 0 ? app.test.labels[size_t(app.sample)] : -1;
    std::vector<ImVec2> line;
    int near = 0;
    for (size_t i = 0; i < l.sweep.size(); ++i) {
        const SweepPoint& q = l.sweep[i];
        const ImVec2 a(px(q.value), y1 - q.margin / top * (y1 - y0 - 4.0f));
        line.push_back(a);
        const ImVec4 c = truth < 0 ? theme::kPlain : q.label == truth ? theme::kGood : theme::kBad;
        dl->AddCircleFilled(a, 3.0f, ImGui::GetColorU32(c));
        std::snprintf(s, sizeof s, "%d", q.label);
        dl->AddText(ImVec2(a.x - ImGui::CalcTextSize(s).x * 0.5f, o.y + 2.0f), ImGui::GetColorU32(c), s);
        if (std::abs(ImGui::GetIO().MousePos.x - a.x) < std::abs(ImGui::GetIO().MousePos.x - px(l.sweep[size_t(near)].value)))
            near = int(i);
    }
    dl->AddPolyline(line.data(), int(line.size()), ImGui::GetColorU32(theme::kWarn), 0, 1.5f);
    const SweepPoint& n = l.sweep[size_t(near)];
    if (hovered) {
        std::snprintf(s, sizeof s, "%.2f%s", double(n.value), p.unit);
        ImGui::SetTooltip("%s %s: predicted %s, confidence %.3f (click: set the slider)", p.label, s,
                          class_name(app, n.label).c_str(), double(n.margin));
    }
    if (clicked) {
        lab_param(l.t, l.sweep_param) = n.value;
        lab_apply(app);
    }
}

void draw_invariance(AppState& app) {
    LabState& l = app.lab;
    text_wrapped("Transform the input: the prediction and every layer's maps follow. Shift, scale, rotation "
                 "and shear are the training distortions' code.");
    const float label_w = 80.0f;
    bool changed = false;
    for (int k = 0; k < kLabParams; ++k) {
        const LabParam& p = kLabParam[k];
        const float w = std::max(100.0f, ImGui::GetContentRegionAvail().x - label_w);
        ImGui::SetNextItemWidth(w);
        changed |= ImGui::SliderFloat(p.label, &lab_param(l.t, k), p.lo, p.hi, p.format, ImGuiSliderFlags_AlwaysClamp);
        l.sliders[k] = {ImGui::GetItemRectMin(), ImVec2(ImGui::GetItemRectMin().x + w, ImGui::GetItemRectMax().y)};  // the bar
    }
    int seed = int(l.t.seed);
    ImGui::SetNextItemWidth(110.0f);
    if (ImGui::InputInt("noise seed", &seed)) {
        l.t.seed = uint64_t(std::max(0, seed));
        changed = true;
    }
    ImGui::SameLine();
    if (ImGui::Button("Reset")) lab_reset(app);
    else if (changed) lab_apply(app);
    const std::string from = app.source == InputSource::Test ? "test digit #" + std::to_string(app.sample) : "your drawing";
    ImGui::TextDisabled("%s of %s: predicted %s", l.t.identity() ? "original" : "transform", from.c_str(),
                        class_name(app, app.prediction.label).c_str());

    ImGui::Separator();
    ImGui::SetNextItemWidth(120.0f);
    ImGui::Combo("sweep", &l.sweep_param, "shift x\0shift y\0scale\0rotate\0shear\0thickness\0noise\0");
    ImGui::SameLine();
    ImGui::TextDisabled("%d points, the other sliders as set", kSweepPoints);
    draw_sweep_plot(app);
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kAxis);
    text_wrapped("Above: the predicted class. Line: the confidence (the gap between the two best outputs, as "
                 "the rejection curve ranks digits). Click a point to set the slider.");
    ImGui::PopStyleColor();
}

void draw_unit_choice(AppState& app) {
    LabState& l = app.lab;
    const std::vector<lenet::LayerInfo>& L = app.net->layers();
    if (l.unit.layer < 0 || l.unit.layer >= int(L.size())) return;
    ImGui::SetNextItemWidth(70.0f);
    if (ImGui::BeginCombo("##layer", L[size_t(l.unit.layer)].name.c_str())) {
        for (int i = 0; i < int(L.size()); ++i)
            if ((L[size_t(i)].type == lenet::LayerType::Conv || L[size_t(i)].type == lenet::LayerType::Full) &&
                ImGui::Selectable(L[size_t(i)].name.c_str(), i == l.unit.layer))
                l.unit = {i, l.unit.map, l.unit.y, l.unit.x};
        ImGui::EndCombo();
    }
    const lenet::Shape s = L[size_t(l.unit.layer)].out;
    int* v[3] = {&l.unit.map, &l.unit.y, &l.unit.x};
    const int n[3] = {s.c, s.h, s.w};
    const char* names[3] = {s.h > 1 || s.w > 1 ? "map" : "unit", "y", "x"};
    for (int k = 0; k < 3; ++k) {
        *v[k] = std::clamp(*v[k], 0, n[k] - 1);
        if (n[k] <= 1) continue;
        ImGui::SameLine();
        ImGui::SetNextItemWidth(k == 0 ? 84.0f : 72.0f);
        if (ImGui::InputInt(names[k], v[k])) *v[k] = std::clamp(*v[k], 0, n[k] - 1);
    }
    ImGui::SetNextItemWidth(110.0f);
    if (ImGui::InputInt("first test digits", &l.subset, 500, 1000)) l.subset = std::clamp(l.subset, 1, 1000000);
    if (l.subset > app.test.count && app.test_full) l.subset = app.test.count;
}

void draw_top_digits(AppState& app) {
    LabState& l = app.lab;
    text_wrapped("What excites a unit: the %d test digits that drive it highest, with its output. Click a unit "
                 "in the maps to choose it.", l.count);
    draw_unit_choice(app);
    if (!l.message.empty()) ImGui::TextColored(theme::kNotice, "%s", l.message.c_str());
    if (l.search) {
        char progress[64];
        std::snprintf(progress, sizeof progress, "%s / %s digits", fmt_int(l.search->done()).c_str(),
                      fmt_int(l.search->total()).c_str());
        ImGui::ProgressBar(float(l.search->done()) / float(std::max(1, l.search->total())), ImVec2(-1, 0), progress);
        if (l.search->finished()) {
            if (ImGui::SmallButton("Search again")) l.restart = true;
            if (l.search_net->params() != app.net->params()) {
                ImGui::SameLine();
                ImGui::TextColored(theme::kWarn, "the weights have changed since");
            }
        }
    }
    l.tiles.clear();
    const lenet::Dataset& d = app.test;
    const int n = int(l.top.indices.size());
    if (!l.atlas.tex || n == 0 || l.atlas_dirty || l.atlas.w != n * d.cols) return;
    const lenet::UnitRef& u = l.searched;
    ImGui::Text("%s map %d%s: rank, digit #, label and output", app.net->layers()[size_t(u.layer)].name.c_str(), u.map,
                app.net->layers()[size_t(u.layer)].out.h > 1 ? (", y " + std::to_string(u.y) + ", x " + std::to_string(u.x)).c_str() : "");
    // The unit's receptive field on the digit (conv layers: a patch; full layers see everything).
    const lenet::Shape in = app.net->input_shape();
    const Rect rf = receptive_field(app, u.layer + 1, u.y, u.x, 0);
    const bool patch = rf.y1 - rf.y0 + 1 < in.h || rf.x1 - rf.x0 + 1 < in.w;
    const float side = 60.0f, tile_w = 70.0f, tile_h = side + 2.0f * ImGui::GetTextLineHeight() + 8.0f;
    const int per_row = ImGui::GetContentRegionAvail().x >= tile_w * float(n) ? n : 3;
    const ColorScale gray{ColorMode::Gray, 0.0f, 1.0f};
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int k = 0; k < n; ++k) {
        const int index = l.top.indices[size_t(k)], label = d.labels[size_t(index)];
        const ImVec2 a(p0.x + float(k % per_row) * tile_w, p0.y + float(k / per_row) * tile_h);
        ImGui::SetCursorScreenPos(a);
        const float u0 = float(k) / float(n);
        ImGui::PushID(k);
        draw_heatmap(app, "##top", l.atlas, ImVec2(side, side), ImVec2(u0, 0), ImVec2(u0 + 1.0f / float(n), 1), gray);
        const bool clicked = ImGui::IsItemClicked();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("#%d (%s): output %.4f, pre-activation %.4f; click to step through it", index,
                              class_name(app, label).c_str(), double(l.top.activations[size_t(k)]), double(l.top.pre[size_t(k)]));
        ImGui::PopID();
        if (patch) {  // input coordinates -> the digit's, centred in the input
            const float sc = side / float(d.cols), oy = float(in.h - d.rows) * 0.5f, ox = float(in.w - d.cols) * 0.5f;
            dl->AddRect(ImVec2(a.x + (float(rf.x0) - ox) * sc, a.y + (float(rf.y0) - oy) * sc),
                        ImVec2(a.x + (float(rf.x1 + 1) - ox) * sc, a.y + (float(rf.y1 + 1) - oy) * sc),
                        ImGui::GetColorU32(theme::kWarn));
        }
        if (index == app.sample && app.source == InputSource::Test)
            dl->AddRect(a, ImVec2(a.x + side, a.y + side), ImGui::GetColorU32(theme::kFocus), 0.0f, 0, 2.0f);
        ImGui::SetCursorScreenPos(ImVec2(a.x, a.y + side + 2.0f));
        ImGui::TextColored(theme::kAxis, "%d. #%d", k + 1, index);
        ImGui::SetCursorScreenPos(ImVec2(a.x, a.y + side + 2.0f + ImGui::GetTextLineHeight()));
        ImGui::Text("%d: %.2f", label, double(l.top.activations[size_t(k)]));
        l.tiles.push_back({index, {a, ImVec2(a.x + side, a.y + side)}});
        if (clicked) {
            try {
                set_sample(app, index);
            } catch (const lenet::Error& e) {
                app.notices.push_back(e.what());
            }
        }
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, p0.y + float((n + per_row - 1) / per_row) * tile_h));
    ImGui::Dummy(ImVec2(1, 1));
}

}  // namespace

void draw_lab_tab(AppState& app) {
    const bool open = ImGui::BeginTabItem("Lab", nullptr, app.lab.focus ? ImGuiTabItemFlags_SetSelected : 0);
    app.lab.tab = item_rect();
    if (open) {
        draw_lab_panel(app);
        ImGui::EndTabItem();
    }
}

void draw_lab_panel(AppState& app) {
    LabState& l = app.lab;
    l.drawn_frame = l.frame;
    l.tiles.clear();
    l.plot = ScreenRect();
    for (ScreenRect& r : l.sliders) r = ScreenRect();
    if (!ImGui::BeginTabBar("##lab")) return;
    const char* names[2] = {"Invariance", "Top digits"};
    const bool focus = l.focus;  // a lab= link: the Invariance page (the Lab itself is open: drawn)
    l.focus = false;
    for (int k = 0; k < 2; ++k) {
        const bool open = ImGui::BeginTabItem(names[k], nullptr, focus && k == 0 ? ImGuiTabItemFlags_SetSelected : 0);
        l.pages[k] = item_rect();
        if (!open) continue;
        l.page = k;
        if (k == 0) draw_invariance(app);
        else draw_top_digits(app);
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
}
