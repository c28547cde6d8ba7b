// web/panels/trace_panel.cpp — "trace a unit": for the unit clicked in the activations, its
// receptive field on the previous layer's maps and on the input, the maps that feed it (C3: Table
// I), and its computation written with the actual numbers: sum of weight x input terms + bias = a,
// then f(a) = output, checked against the engine's own values.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {


std::string f_text(lenet::Activation act, float a, float out) {
    char b[160];
    switch (act) {
        case lenet::Activation::ScaledTanh:
            std::snprintf(b, sizeof b, "f(a) = 1.7159 tanh(2/3 x %.4f) = 1.7159 tanh(%.4f) = %.4f", double(a), double(a * 2.0f / 3.0f), double(out));
            break;
        case lenet::Activation::Tanh: std::snprintf(b, sizeof b, "f(a) = tanh(%.4f) = %.4f", double(a), double(out)); break;
        case lenet::Activation::Sigmoid: std::snprintf(b, sizeof b, "f(a) = 1/(1+e^-%.4f) = %.4f", double(a), double(out)); break;
        case lenet::Activation::Relu: std::snprintf(b, sizeof b, "f(a) = max(0, %.4f) = %.4f", double(a), double(out)); break;
        case lenet::Activation::None: std::snprintf(b, sizeof b, "no activation: output = a = %.4f", double(out)); break;
    }
    return b;
}

// One group of products (a conv input map, a pooling window, a whole full layer), with its terms
// in an expandable table.
void product_group(const TraceGroup& g, bool rbf) {
    std::string inline_terms;
    for (size_t i = 0; i < g.terms.size() && i < 2; ++i) {
        char b[64];
        if (rbf) std::snprintf(b, sizeof b, "(%.3f - %.0f)^2", double(g.terms[i].x), double(g.terms[i].w));
        else std::snprintf(b, sizeof b, "%.3f x %.3f", double(g.terms[i].w), double(g.terms[i].x));
        inline_terms += (i ? " + " : "") + std::string(b);
    }
    if (g.terms.size() > 2) inline_terms += " + ... (" + std::to_string(g.terms.size()) + " terms)";
    // The sum first: a narrow panel cuts the end of the line, not the result.
    if (ImGui::TreeNode(g.title.c_str(), "%s: %.4f = %s", g.title.c_str(), g.sum, inline_terms.c_str())) {
        if (ImGui::BeginTable("##terms", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY,
                              ImVec2(0, std::min(220.0f, ImGui::GetTextLineHeightWithSpacing() * float(g.terms.size() + 2))))) {
            ImGui::TableSetupScrollFreeze(0, 1);
            ImGui::TableSetupColumn("input");
            ImGui::TableSetupColumn(rbf ? "prototype w" : "weight w");
            ImGui::TableSetupColumn("input x");
            ImGui::TableSetupColumn(rbf ? "(x - w)^2" : "w x x");
            ImGui::TableHeadersRow();
            for (const TraceTerm& t : g.terms) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(t.where.c_str());
                ImGui::TableNextColumn();
                ImGui::Text("%.4f", double(t.w));
                ImGui::TableNextColumn();
                ImGui::Text("%.4f", double(t.x));
                ImGui::TableNextColumn();
                ImGui::Text("%.4f", rbf ? double(t.x - t.w) * double(t.x - t.w) : double(t.w) * double(t.x));
            }
            ImGui::EndTable();
        }
        ImGui::TreePop();
    }
}

// A map of view `view` (tex: its stacked maps) with a rectangle on the receptive field.
void field_map(AppState& app, const char* id, const Heatmap& tex, int view, int map, const Rect& r, float px) {
    const lenet::Shape sh = view_shape(app, view);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImVec2 uv;
    const ColorScale s = view_scale(app, view, false);
    if (draw_heatmap(app, id, tex, ImVec2(float(sh.w) * px, float(sh.h) * px), ImVec2(0, float(map) / float(sh.c)),
                     ImVec2(1, float(map + 1) / float(sh.c)), s, &uv)) {
        const int x = int(uv.x * float(sh.w)), y = int(uv.y * float(sh.h));
        ImGui::SetTooltip("%s map %d, y %d, x %d = %.4f", view_name(app, view).c_str(), map, y, x,
                          double(heatmap_value(tex, (size_t(map) * sh.h + y) * sh.w + x)));
    }
    ImGui::GetWindowDrawList()->AddRect(ImVec2(p0.x + float(r.x0) * px - 1, p0.y + float(r.y0) * px - 1),
                                        ImVec2(p0.x + float(r.x1 + 1) * px + 1, p0.y + float(r.y1 + 1) * px + 1),
                                        IM_COL32(0, 255, 120, 255), 0, 0, 2);
}

}  // namespace

void draw_trace_panel(AppState& app) {
    if (backward_active(app)) return draw_backward_trace_panel(app);  // a training step: its own trace
    const int v = app.view;
    if (v == 0) {
        text_wrapped("Step to a layer, then click one of its units to see where its value comes from.");
        return;
    }
    const lenet::Shape out = view_shape(app, v);
    if (app.unit_map < 0 || app.unit_map >= out.c || app.unit_y >= out.h || app.unit_x >= out.w) {
        text_wrapped("Click a unit of %s in the activations (or a bar of the output) to trace it: its receptive "
                     "field, the maps that feed it, and its computation with the actual numbers.",
                     view_name(app, v).c_str());
        return;
    }
    const int li = v - 1, m = app.unit_map, uy = app.unit_y, ux = app.unit_x;
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(li)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(li)];
    if (!view_data(app, v - 1, false) || !view_data(app, v, false)) return;
    if (out.h * out.w > 1) ImGui::Text("Unit %s map %d, y %d, x %d", L.name.c_str(), m, uy, ux);
    else ImGui::Text("Unit %s %d", L.name.c_str(), m);
    ImGui::SameLine();
    if (ImGui::SmallButton("clear")) app.unit_map = -1;

    // Receptive field: previous layer (feeding maps) and the input.
    const lenet::Shape inshape = view_shape(app, v - 1);
    const std::vector<int> maps = feeding_maps(app, li, m);
    if (inshape.h * inshape.w > 1) {
        const Rect r = receptive_field(app, v, uy, ux, v - 1);
        ImGui::TextDisabled("Reads %zu map%s of %s, rows %d-%d, cols %d-%d:", maps.size(), maps.size() == 1 ? "" : "s",
                            view_name(app, v - 1).c_str(), r.y0, r.y1, r.x0, r.x1);
        const float avail = ImGui::GetContentRegionAvail().x;
        const int cols = std::min(int(maps.size()), inshape.w >= 14 ? 3 : 8);
        const float px = std::clamp(std::floor((avail - 6.0f * float(cols)) / float(cols * inshape.w)), 1.0f, 8.0f);
        for (size_t k = 0; k < maps.size(); ++k) {
            if (k % size_t(cols)) ImGui::SameLine(0, 6);
            ImGui::BeginGroup();
            ImGui::PushID(int(k));
            ImGui::TextDisabled("%s %d", view_name(app, v - 1).c_str(), maps[k]);
            field_map(app, "##prev", app.tex.prev, v - 1, maps[k], r, px);
            ImGui::PopID();
            ImGui::EndGroup();
        }
        if (v - 1 > 0) {
            const Rect ri = receptive_field(app, v, uy, ux, 0);
            text_wrapped_disabled("Receptive field on the input: rows %d-%d, cols %d-%d (%dx%d pixels)", ri.y0, ri.y1,
                                  ri.x0, ri.x1, ri.y1 - ri.y0 + 1, ri.x1 - ri.x0 + 1);
            field_map(app, "##inputfield", app.tex.input, 0, 0, ri, std::clamp(std::floor(avail / 32.0f), 2.0f, 5.0f));
        }
    } else {
        ImGui::TextDisabled("Reads all %lld outputs of %s (receptive field: the whole input).",
                            static_cast<long long>(inshape.size()), view_name(app, v - 1).c_str());
    }

    ImGui::Separator();
    ImGui::TextUnformatted("Computation:");
    const Trace t = trace_unit(app);
    if (!t.valid) return;
    for (const TraceGroup& g : t.groups) product_group(g, t.kind == Trace::Rbf);
    switch (t.kind) {
        case Trace::WeightedSum: {
            double sum = t.a - t.bias;
            if (t.groups.size() > 1) ImGui::Text("sum of %d terms = %.4f", t.terms, sum);
            if (S.type == lenet::LayerType::Pool && S.pool == lenet::PoolMode::Subsample)
                text_wrapped("(each term is coefficient x input: a = coeff x (sum of the %d inputs) + bias)", t.terms);
            else if (S.type == lenet::LayerType::Pool)
                text_wrapped("(average: each input weighted 1/%d)", t.terms);
            if (t.bias != 0.0 || S.type != lenet::LayerType::Pool)
                ImGui::Text("+ bias b = %.4f   ->   a = %.4f", t.bias, t.a);
            else
                ImGui::Text("a = %.4f", t.a);
            break;
        }
        case Trace::Max: ImGui::Text("a = the largest of the %d inputs = %.4f", t.terms, t.a); break;
        case Trace::Rbf:
            text_wrapped("y = %.4f: the squared distance between F6's outputs and the prototype of %s "
                         "(no bias, no activation)", t.a, class_name(app, m).c_str());
            break;
    }
    if (t.kind != Trace::Rbf) text_wrapped("%s", f_text(L.activation, float(t.a), t.engine_out).c_str());
    ImGui::TextColored(t.matches ? theme::kGood : theme::kBad,
                       "engine's values: a = %.4f, output = %.4f  %s", double(t.engine_a), double(t.engine_out),
                       t.matches ? "(matches)" : "(differs!)");
}
