// web/panels/weights_panel.cpp — the current layer's trainable (or fixed) values: conv kernels (for
// C3 laid out as the paper's Table I: rows = S2 maps, columns = C3 maps, an empty cell = no
// connection, the hovered or traced map's column highlighted); S2/S4 coefficient and bias; full
// layers' weight matrices; the RBF prototypes. Diverging colours, symmetric around 0.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

float max_abs(const std::vector<float>& v) {
    float m = 1e-6f;
    for (float x : v) m = std::max(m, std::fabs(x));
    return m;
}

// What a weights drawing shows: the weights themselves or their gradient (the training steps).
struct Tensor {
    const Heatmap& tex;   // packed by upload_weight_tensor
    const float*   bias;  // the layer's biases (or their gradient)
    const char*    w;     // how a value is named: "w" or "dE/dw"
    const char*    b;     // "bias" or "dE/db"
};

void kernel_image(AppState& app, const Tensor& T, int o, int i, int K, float px, const ColorScale& s, const lenet::LayerInfo& L) {
    const Heatmap& t = T.tex;
    const ImVec2 uv0(float(o * K) / float(t.w), float(i * K) / float(t.h));
    const ImVec2 uv1(float((o + 1) * K) / float(t.w), float((i + 1) * K) / float(t.h));
    ImVec2 uv;
    ImGui::PushID(o * 4096 + i);
    if (draw_heatmap(app, "##k", t, ImVec2(px, px), uv0, uv1, s, &uv)) {
        const int ky = int(uv.y * float(K)), kx = int(uv.x * float(K));
        const float w = heatmap_value(t, (size_t(i) * K + ky) * size_t(t.w) + size_t(o) * K + kx);
        ImGui::SetTooltip("%s kernel: output map %d <- input map %d\n%s[%d][%d] = %.4g   (%s of map %d: %.4g)", L.name.c_str(),
                          o, i, T.w, ky, kx, double(w), T.b, o, double(T.bias[o]));
    }
    ImGui::PopID();
}

void conv_weights(AppState& app, const Tensor& T, int layer) {
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(layer)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    const std::string in_name = view_name(app, layer);  // view `layer` is the layer's input
    const int O = L.out.c, I = L.in.c, K = S.kernel;
    ColorScale s{ColorMode::Diverging, 0, 0};
    s.hi = max_abs(T.tex.data);
    s.lo = -s.hi;
    ImGui::Text("%s kernels (%s): %d x %d x %dx%d (+ %d %s)", L.name.c_str(), T.w, O, I, K, K, O, T.b);
    draw_legend(app, s, std::min(240.0f, ImGui::GetContentRegionAvail().x));
    const float avail = ImGui::GetContentRegionAvail().x;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (I == 1) {  // C1: one kernel per map
        const float px = std::clamp(std::floor((avail - 8.0f * float(O)) / float(O)), 20.0f, 90.0f);
        for (int o = 0; o < O; ++o) {
            if (o) ImGui::SameLine(0, 8);
            ImGui::BeginGroup();
            kernel_image(app, T, o, 0, K, px, s, L);
            ImGui::TextDisabled("map %d", o);
            ImGui::TextDisabled("%s %.3g", T.b, double(T.bias[o]));
            ImGui::EndGroup();
        }
        return;
    }
    const int focus = app.hover_map >= 0 ? app.hover_map : app.unit_map;
    if (O <= 16 && I <= 16) {  // C3: the Table I matrix of kernels
        if (!S.table.empty())
            text_wrapped("Table I: rows = %s maps (inputs), columns = %s maps; an empty cell = not connected. "
                         "Hover a map in the activations to highlight its inputs.",
                         in_name.c_str(), L.name.c_str());
        const float label_w = 22.0f;
        float cell = std::clamp(std::floor((avail - label_w) / float(O)) - 2.0f, float(K), 40.0f);
        cell = std::floor(cell / float(K)) * float(K);  // whole screen pixels per weight
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        for (int o = 0; o < O; ++o) {  // column headers
            char t[8];
            std::snprintf(t, sizeof t, "%d", o);
            dl->AddText(ImVec2(origin.x + label_w + float(o) * (cell + 2) + 2, origin.y),
                        ImGui::GetColorU32(o == focus ? theme::kFocus : theme::kAxis), t);
        }
        const float top = origin.y + ImGui::GetTextLineHeight() + 2;
        for (int i = 0; i < I; ++i) {  // row labels: the inputs of the focused map in yellow
            const bool feeds = focus >= 0 && focus < O && (S.table.empty() || S.table[size_t(i) * O + focus]);
            char t[8];
            std::snprintf(t, sizeof t, "%d", i);
            dl->AddText(ImVec2(origin.x, top + float(i) * (cell + 2) + cell * 0.5f - 7),
                        ImGui::GetColorU32(feeds ? theme::kFocus : theme::kAxis), t);
        }
        // All kernels in one image (one draw call): the texture is laid out as this table. Gaps
        // between kernels and the absent connections are painted over it.
        const float step = cell + 2, gw = step * float(O) - 2, gh = step * float(I) - 2;
        const ImVec2 g0(origin.x + label_w, top);
        ImGui::SetCursorScreenPos(g0);
        ImVec2 uv;
        app.table_hover = -1;
        if (draw_heatmap(app, "##table", T.tex, ImVec2(gw, gh), ImVec2(0, 0), ImVec2(1, 1), s, &uv)) {
            const float gx = uv.x * gw, gy = uv.y * gh;
            const int o = std::min(O - 1, int(gx / step)), i = std::min(I - 1, int(gy / step));
            app.table_hover = o;  // the activations panel frames this map (next frame)
            const int kx = std::clamp(int((gx - float(o) * step) / cell * float(K)), 0, K - 1);
            const int ky = std::clamp(int((gy - float(i) * step) / cell * float(K)), 0, K - 1);
            if (S.table.empty() || S.table[size_t(i) * O + o]) {
                const float wv = heatmap_value(T.tex, (size_t(i) * K + ky) * size_t(T.tex.w) + size_t(o) * K + kx);
                ImGui::SetTooltip("%s map %d <- %s map %d: %s[%d][%d] = %.4g  (%s of map %d: %.4g)", L.name.c_str(), o,
                                  in_name.c_str(), i, T.w, ky, kx, double(wv), T.b, o, double(T.bias[o]));
            } else {
                ImGui::SetTooltip("%s map %d does not read %s map %d (Table I)", L.name.c_str(), o, in_name.c_str(), i);
            }
        }
        const ImU32 window_bg = ImGui::GetColorU32(ImGuiCol_WindowBg) | IM_COL32(0, 0, 0, 255);
        for (int o = 1; o < O; ++o)
            dl->AddRectFilled(ImVec2(g0.x + float(o) * step - 2, g0.y), ImVec2(g0.x + float(o) * step, g0.y + gh), window_bg);
        for (int i = 1; i < I; ++i)
            dl->AddRectFilled(ImVec2(g0.x, g0.y + float(i) * step - 2), ImVec2(g0.x + gw, g0.y + float(i) * step), window_bg);
        for (int i = 0; i < I; ++i)
            for (int o = 0; o < O; ++o)
                if (!S.table.empty() && !S.table[size_t(i) * O + o]) {
                    const ImVec2 p(g0.x + float(o) * step, g0.y + float(i) * step);
                    dl->AddRectFilled(p, ImVec2(p.x + cell, p.y + cell), IM_COL32(40, 42, 48, 255));
                }
        if (focus >= 0 && focus < O) {
            const float x = origin.x + label_w + float(focus) * (cell + 2);
            dl->AddRect(ImVec2(x - 2, top - 2), ImVec2(x + cell + 1, top + float(I) * (cell + 2) - 1), IM_COL32(255, 220, 0, 255), 0, 0, 2);
        }
        ImGui::SetCursorScreenPos(ImVec2(origin.x, top + float(I) * (cell + 2) + 4));
        if (focus >= 0 && focus < O) {
            std::string ins;
            for (int i : feeding_maps(app, layer, focus)) ins += (ins.empty() ? "" : ", ") + std::to_string(i);
            ImGui::Text("%s map %d reads %s maps %s", L.name.c_str(), focus, in_name.c_str(), ins.c_str());
        }
        return;
    }
    // Many maps (C5: 120 x 16): the kernels of one output map at a time.
    int m = std::clamp(focus >= 0 ? focus : 0, 0, O - 1);
    ImGui::SetNextItemWidth(160);
    if (ImGui::SliderInt("output map", &m, 0, O - 1)) {
        app.unit_map = m;
        app.unit_y = app.unit_x = 0;
    }
    ImGui::Text("map %d: %d kernels of %dx%d, %s %.4g", m, I, K, K, T.b, double(T.bias[m]));
    const int cols = std::min(I, 8);
    const float px = std::clamp(std::floor((avail - 6.0f * float(cols)) / float(cols)), 16.0f, 60.0f);
    for (int i = 0; i < I; ++i) {
        if (i % cols) ImGui::SameLine(0, 6);
        kernel_image(app, T, m, i, K, px, s, L);
    }
}

void full_weights(AppState& app, const Tensor& T, int layer) {
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    const Heatmap& t = T.tex;
    ColorScale s{ColorMode::Diverging, 0, 0};
    s.hi = max_abs(t.data);
    s.lo = -s.hi;
    ImGui::Text("%s weights (%s): %d x %lld matrix (+ %d %s); row j = unit j", L.name.c_str(), T.w, L.out.c,
                static_cast<long long>(L.in.size()), L.out.c, T.b);
    draw_legend(app, s, std::min(240.0f, ImGui::GetContentRegionAvail().x));
    const float avail = ImGui::GetContentRegionAvail().x;
    const float px = std::clamp(std::floor(avail / float(t.w)), 1.0f, 8.0f);
    const float py = std::clamp(px * (t.h < 20 ? 3.0f : 1.0f), 1.0f, 24.0f);
    ImVec2 uv;
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    if (draw_heatmap(app, "##full", t, ImVec2(px * float(t.w), py * float(t.h)), ImVec2(0, 0), ImVec2(1, 1), s, &uv)) {
        const int i = int(uv.x * float(t.w)), j = int(uv.y * float(t.h));
        ImGui::SetTooltip("%s[%d][%d] = %.4g  (unit %d <- input %d; %s %.4g)", T.w, j, i, double(heatmap_value(t, size_t(j) * t.w + i)),
                          j, i, T.b, double(T.bias[j]));
    }
    if (app.unit_map >= 0 && app.unit_map < t.h)
        ImGui::GetWindowDrawList()->AddRect(ImVec2(p0.x - 1, p0.y + py * float(app.unit_map) - 1),
                                            ImVec2(p0.x + px * float(t.w) + 1, p0.y + py * float(app.unit_map + 1) + 1),
                                            IM_COL32(0, 255, 120, 255));
}

}  // namespace

void draw_weight_tensor(AppState& app, int layer, const Heatmap& tex, const float* bias, const char* w, const char* b) {
    const Tensor T{tex, bias, w, b};
    if (app.net->layers()[size_t(layer)].type == lenet::LayerType::Conv) conv_weights(app, T, layer);
    else full_weights(app, T, layer);
}

// The ten 7x12 prototypes of the RBF layer (also used by the output panel).
void draw_prototypes(AppState& app, float cell, const std::vector<float>* distances, int best) {
    const Heatmap& t = app.tex.weights;
    const ColorScale s{ColorMode::Diverging, -1.0f, 1.0f};
    const int O = t.w / 7;
    for (int o = 0; o < O; ++o) {
        if (o) ImGui::SameLine(0, 6);
        ImGui::BeginGroup();
        ImGui::PushID(o);
        const ImVec2 p0 = ImGui::GetCursorScreenPos();
        ImVec2 uv;
        if (draw_heatmap(app, "##proto", t, ImVec2(7 * cell, 12 * cell), ImVec2(float(o) / float(O), 0),
                         ImVec2(float(o + 1) / float(O), 1), s, &uv))
            ImGui::SetTooltip("prototype of class %s: 7x12 bitmap of +1 (red) / -1 (blue), fixed (not trained)",
                              class_name(app, o).c_str());
        if (o == best)
            ImGui::GetWindowDrawList()->AddRect(ImVec2(p0.x - 2, p0.y - 2), ImVec2(p0.x + 7 * cell + 2, p0.y + 12 * cell + 2),
                                                IM_COL32(0, 255, 120, 255), 0, 0, 2);
        ImGui::Text("%d", o);  // the name (Fashion-MNIST's are long) is in the tooltip
        if (distances && size_t(o) < distances->size()) ImGui::TextDisabled("%.1f", double((*distances)[size_t(o)]));
        ImGui::PopID();
        ImGui::EndGroup();
    }
}

void draw_weights_panel(AppState& app) {
    if (app.view == 0) {
        text_wrapped("The input has no weights. Step to %s to see its kernels.", app.net->layers().front().name.c_str());
        return;
    }
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(app.view - 1)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(app.view - 1)];
    const WeightsStatus status = weights_status(app);
    if (status == WeightsStatus::Untrained)
        ImGui::TextColored(theme::kWarn, "Untrained: these are the random initial weights.");
    if (status == WeightsStatus::TrainedHere)
        ImGui::TextDisabled("Trained here (Train tab) from %s: %s samples so far.", trained_from(app).c_str(),
                            fmt_int(train_samples_seen(app)).c_str());
    switch (S.type) {
        case lenet::LayerType::Conv:
        case lenet::LayerType::Full:
            draw_weight_tensor(app, app.view - 1, app.tex.weights, app.net->params().data() + L.bias_offset, "w", "bias");
            break;
        case lenet::LayerType::Rbf:
            text_wrapped("The RBF output's parameters are fixed: each class has a 7x12 bitmap of +1/-1 "
                         "(a stylised digit, Fig. 3 of the paper). Not trained.");
            draw_prototypes(app, std::clamp(std::floor((ImGui::GetContentRegionAvail().x - 60) / 70.0f), 2.0f, 6.0f), nullptr, -1);
            break;
        case lenet::LayerType::Pool:
            if (S.pool != lenet::PoolMode::Subsample) {
                text_wrapped("%s pooling has no trainable parameters.", S.pool == lenet::PoolMode::Max ? "Max" : "Average");
                break;
            }
            text_wrapped("Each map has one trainable coefficient (multiplies the sum of the 2x2 inputs) and one "
                         "trainable bias, then the squashing function (Section II.B).");
            if (ImGui::BeginTable("##sub", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
                ImGui::TableSetupColumn("map");
                ImGui::TableSetupColumn("coefficient");
                ImGui::TableSetupColumn("bias");
                ImGui::TableHeadersRow();
                for (int c = 0; c < L.out.c; ++c) {
                    ImGui::TableNextRow();
                    if (c == app.hover_map || c == app.unit_map) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(theme::kRowHovered));
                    ImGui::TableNextColumn();
                    ImGui::Text("%d", c);
                    ImGui::TableNextColumn();
                    ImGui::Text("%.4f", double(app.net->params()[L.weight_offset + size_t(c)]));
                    ImGui::TableNextColumn();
                    ImGui::Text("%.4f", double(app.net->params()[L.bias_offset + size_t(c)]));
                }
                ImGui::EndTable();
            }
            break;
    }
}
