// web/panels/activations_panel.cpp — every feature map of the current step as a heatmap (GLSL
// colormap shader, web/app_gl.cpp): diverging and symmetric for tanh (+-1.7159 for the paper's
// scaled tanh), with a legend, a pre-/post-activation toggle, and the value and position under the
// mouse. Clicking a unit selects it for the "Trace a unit" tab.
#include "app.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

void select_unit(AppState& app, int map, int y, int x) {
    app.unit_map = map;
    app.unit_y = y;
    app.unit_x = x;
    app.focus_trace = true;
    platform_announce("Selected unit " + std::to_string(map) + " (" + std::to_string(y) + ", " + std::to_string(x) +
                      ") of " + step_name(app, step_index(app)));
}

// Largest whole number of screen pixels per unit such that all maps fit the space.
int pick_scale(int count, int w, int h, float avail_w, float avail_h, int& cols) {
    const float gap = 8.0f, label = ImGui::GetTextLineHeightWithSpacing();
    for (int s = 16; s >= 1; --s) {
        cols = std::max(1, int((avail_w + gap) / (float(w * s) + gap)));
        cols = std::min(cols, count);
        const int rows = (count + cols - 1) / cols;
        if (float(rows) * (float(h * s) + gap + label) <= avail_h || s == 1) return s;
    }
    cols = 1;
    return 1;
}

void maps_grid(AppState& app, const Heatmap& tex, const lenet::Shape& sh, const ColorScale& scale, const char* what,
               std::vector<ScreenRect>* rects) {
    if (!tex.tex || tex.data.empty()) return;
    const float avail_w = ImGui::GetContentRegionAvail().x;
    const float avail_h = app.stacked ? 520.0f : std::max(120.0f, ImGui::GetContentRegionAvail().y - 4.0f);
    int cols = 1;
    const int s = pick_scale(sh.c, sh.w, sh.h, avail_w, avail_h, cols);
    app.hover_map = -1;
    if (rects) rects->clear();
    for (int c = 0; c < sh.c; ++c) {
        if (c % cols) ImGui::SameLine(0, 8.0f);
        ImGui::BeginGroup();
        ImGui::PushID(c);
        ImGui::TextDisabled("%d", c);
        const ImVec2 size(float(sh.w * s), float(sh.h * s));
        const ImVec2 p0 = ImGui::GetCursorScreenPos();
        if (rects) rects->push_back({p0, ImVec2(p0.x + size.x, p0.y + size.y)});
        ImVec2 uv;
        const ImVec2 uv0(0, float(c) / float(sh.c)), uv1(1, float(c + 1) / float(sh.c));
        const bool hovered = draw_heatmap(app, "##map", tex, size, uv0, uv1, scale, &uv);
        const int x = std::min(sh.w - 1, int(uv.x * float(sh.w))), y = std::min(sh.h - 1, int(uv.y * float(sh.h)));
        ImDrawList* dl = ImGui::GetWindowDrawList();
        if (hovered) {
            app.hover_map = c;
            const float v = heatmap_value(tex, (size_t(c) * sh.h + y) * sh.w + x);
            ImGui::SetTooltip("%s map %d, y %d, x %d\n%s = %.4f\nclick to trace this unit", step_name(app, step_index(app)).c_str(),
                              c, y, x, what, double(v));
            dl->AddRect(ImVec2(p0.x + float(x * s), p0.y + float(y * s)), ImVec2(p0.x + float((x + 1) * s), p0.y + float((y + 1) * s)),
                        IM_COL32(255, 220, 0, 255));
            if (ImGui::IsItemClicked() && app.view > 0) select_unit(app, c, y, x);
        }
        if (app.unit_map == c) {
            dl->AddRect(ImVec2(p0.x + float(app.unit_x * s) - 1, p0.y + float(app.unit_y * s) - 1),
                        ImVec2(p0.x + float((app.unit_x + 1) * s) + 1, p0.y + float((app.unit_y + 1) * s) + 1),
                        IM_COL32(0, 255, 120, 255), 0.0f, 0, 2.0f);
        }
        if (c == app.table_hover)  // hovered in the weights panel's Table I
            dl->AddRect(ImVec2(p0.x - 2, p0.y - 2), ImVec2(p0.x + size.x + 2, p0.y + size.y + 2), IM_COL32(255, 220, 0, 255), 0, 0, 2);
        else
            dl->AddRect(p0, ImVec2(p0.x + size.x, p0.y + size.y), IM_COL32(80, 85, 95, 255));
        ImGui::PopID();
        ImGui::EndGroup();
    }
}

// A layer of vectors (C5's 120 maps of 1x1, F6's 84 units) as one grid of cells.
void vector_grid_view(AppState& app, const Heatmap& tex, const lenet::Shape& sh, const ColorScale& scale, const char* what,
                      std::vector<ScreenRect>* rects) {
    if (!tex.tex || tex.data.empty()) return;
    int cols, rows;
    vector_grid(sh.c, cols, rows);
    const float cell = std::clamp(std::floor(std::min(ImGui::GetContentRegionAvail().x / float(cols),
                                                      (app.stacked ? 400.0f : ImGui::GetContentRegionAvail().y - 40.0f) / float(rows))),
                                  8.0f, 40.0f);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    if (rects) *rects = {{p0, ImVec2(p0.x + cell * float(cols), p0.y + cell * float(rows))}};
    ImVec2 uv;
    const bool hovered = draw_heatmap(app, "##vec", tex, ImVec2(cell * float(cols), cell * float(rows)), ImVec2(0, 0), ImVec2(1, 1), scale, &uv);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int r = 0; r <= rows; ++r)
        dl->AddLine(ImVec2(p0.x, p0.y + float(r) * cell), ImVec2(p0.x + cell * float(cols), p0.y + float(r) * cell), IM_COL32(30, 30, 35, 255));
    for (int c = 0; c <= cols; ++c)
        dl->AddLine(ImVec2(p0.x + float(c) * cell, p0.y), ImVec2(p0.x + float(c) * cell, p0.y + cell * float(rows)), IM_COL32(30, 30, 35, 255));
    if (hovered) {
        const int gx = int(uv.x * float(cols)), gy = int(uv.y * float(rows)), u = gy * cols + gx;
        if (u < sh.c) {
            ImGui::SetTooltip("%s unit %d (row %d, col %d of the %dx%d grid)\n%s = %.4f\nclick to trace this unit",
                              step_name(app, step_index(app)).c_str(), u, gy, gx, cols, rows, what,
                              double(heatmap_value(tex, size_t(u))));
            if (ImGui::IsItemClicked()) select_unit(app, u, 0, 0);
            app.hover_map = u;
        }
    }
    if (app.unit_map >= 0 && app.unit_map < sh.c) {
        const int gx = app.unit_map % cols, gy = app.unit_map / cols;
        dl->AddRect(ImVec2(p0.x + float(gx) * cell, p0.y + float(gy) * cell), ImVec2(p0.x + float(gx + 1) * cell, p0.y + float(gy + 1) * cell),
                    IM_COL32(0, 255, 120, 255), 0.0f, 0, 2.0f);
    }
    ImGui::TextDisabled("%d units drawn as a %dx%d grid%s", sh.c, cols, rows, sh.c == 84 ? " (7 wide x 12 high, as the RBF prototypes)" : "");
}

}  // namespace

void draw_value_maps(AppState& app, const Heatmap& tex, const lenet::Shape& sh, const ColorScale& scale, const char* what,
                     bool image, std::vector<ScreenRect>* rects) {
    if (sh.h * sh.w > 1 || image) maps_grid(app, tex, sh, scale, what, rects);
    else vector_grid_view(app, tex, sh, scale, what, rects);
}

void draw_activations_panel(AppState& app) {
    const lenet::Shape sh = view_shape(app, app.view);
    if (app.view == 0) {
        ImGui::Text("The input image, %s", lenet::shape_str(sh).c_str());
    } else {
        ImGui::Text("Activations of %s: %s", view_name(app, app.view).c_str(), lenet::shape_str(sh).c_str());
        ImGui::SameLine();
        if (ImGui::RadioButton("output f(a)", !app.show_pre)) app.show_pre = false;
        ImGui::SameLine();
        if (ImGui::RadioButton("pre-activation a", app.show_pre)) app.show_pre = true;
    }
    const ColorScale scale = view_scale(app, app.view, app.show_pre && app.view > 0);
    draw_legend(app, scale, std::min(260.0f, ImGui::GetContentRegionAvail().x));
    if (app.view > 0 && !app.show_pre && scale.mode == ColorMode::Diverging && scale.hi > 1.71f && scale.hi < 1.72f)
        ImGui::TextDisabled("blue = -1.7159, white = 0, red = +1.7159 (the limits of the scaled tanh)");
    if (view_data(app, app.view, false) == nullptr) {
        ImGui::TextDisabled("Not computed yet: step to this layer.");
        return;
    }
    draw_value_maps(app, app.tex.act, sh, scale, app.show_pre ? "a (pre-activation)" : "output", app.view == 0);
}
