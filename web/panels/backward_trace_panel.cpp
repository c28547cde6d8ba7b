// web/panels/backward_trace_panel.cpp — "Trace a unit" on a backward step (app_btrace.h): the
// clicked unit's delta = f'(a) x dE/d(output), with dE/d(output) from the loss (the last layer) or
// as the sum of w x delta over the units it feeds, grouped per map fed; then one weight's gradient
// as the sum of input x delta, and dE/db; each checked against the engine. Long term lists scroll
// in tables that draw only their visible rows.
#include "app.h"
#include "wrapped.h"
#include "backward_steps.h"

#include <algorithm>
#include <cstdio>

namespace {

using lenet_web::BackGroup;
using lenet_web::BackTerm;

// A check mark or a cross drawn as lines (the UI font has no such glyph), then the text.
void checked(bool ok, const char* text) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 c = ImGui::GetColorU32(ok ? theme::kGood : theme::kBad);
    if (ok) {
        dl->AddLine(ImVec2(p.x + 2, p.y + h * 0.55f), ImVec2(p.x + h * 0.4f, p.y + h * 0.85f), c, 2.0f);
        dl->AddLine(ImVec2(p.x + h * 0.4f, p.y + h * 0.85f), ImVec2(p.x + h - 2, p.y + h * 0.15f), c, 2.0f);
    } else {
        dl->AddLine(ImVec2(p.x + 3, p.y + 3), ImVec2(p.x + h - 3, p.y + h - 3), c, 2.0f);
        dl->AddLine(ImVec2(p.x + h - 3, p.y + 3), ImVec2(p.x + 3, p.y + h - 3), c, 2.0f);
    }
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, ok ? theme::kGood : theme::kBad);
    text_wrapped("%s", text);
    ImGui::PopStyleColor();
}

// The terms of a sum, w x d each, in a table that scrolls (the unit column stays) and draws only its
// visible rows. w: the multiplier's column, prod: the product's, via: what the multiplier is.
void terms_table(const BackGroup& g, const char* w, const char* prod, const char* via) {
    const float row = ImGui::GetTextLineHeightWithSpacing();
    const float h = std::min(230.0f, row * float(g.terms.size() + 1) + 10.0f);
    if (!ImGui::BeginTable("##terms", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                                             ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY, ImVec2(0, h)))
        return;
    ImGui::TableSetupScrollFreeze(1, 1);
    for (const char* c : {"unit", w, "its delta", prod, via}) ImGui::TableSetupColumn(c);
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(int(g.terms.size()));
    while (clip.Step())
        for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
            const BackTerm& t = g.terms[size_t(i)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(t.where.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.4f", double(t.w));
            ImGui::TableNextColumn();
            ImGui::Text("%+.4g", double(t.d));
            ImGui::TableNextColumn();
            ImGui::Text("%+.4g", double(t.w) * double(t.d));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(t.via.c_str());
        }
    ImGui::EndTable();
}

std::string fprime_text(lenet::Activation act, const lenet_web::BackTrace& t) {
    char b[200];
    switch (act) {
        case lenet::Activation::ScaledTanh:
            std::snprintf(b, sizeof b, "f'(a) = (2/3) / 1.7159 x (1.7159^2 - f(a)^2) = 0.3885 x (2.9443 - (%.4f)^2) = %.5f",
                          double(t.out), t.fprime);
            break;
        case lenet::Activation::Tanh: std::snprintf(b, sizeof b, "f'(a) = 1 - f(a)^2 = 1 - %.4f^2 = %.5f", double(t.out), t.fprime); break;
        case lenet::Activation::Sigmoid:
            std::snprintf(b, sizeof b, "f'(a) = f(a) (1 - f(a)) = %.4f x %.4f = %.5f", double(t.out), 1.0 - t.out, t.fprime);
            break;
        case lenet::Activation::Relu: std::snprintf(b, sizeof b, "f'(a) = (a > 0 ? 1 : 0), a = %.4f: %.0f", double(t.pre), t.fprime); break;
        case lenet::Activation::None: std::snprintf(b, sizeof b, "no activation: f'(a) = 1"); break;
    }
    return b;
}

void delta_part(AppState& app, int layer, const lenet_web::BackTrace& t) {
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    if (t.from_loss) {
        text_wrapped("%s is the last layer: its dE/d(output) comes from the loss.", L.name.c_str());
        text_wrapped("%s", t.rule.c_str());
    } else {
        text_wrapped("dE/d(output) = sum over the %d unit%s it feeds in %s of (w x its delta)%s:", t.terms,
                     t.terms == 1 ? "" : "s", t.next.c_str(), t.groups.size() > 1 ? ", per map fed" : "");
        for (size_t i = 0; i < t.groups.size(); ++i) {
            const BackGroup& g = t.groups[i];
            ImGui::PushID(int(i));
            if (i == 0) ImGui::SetNextItemOpen(true, ImGuiCond_Once);
            if (ImGui::TreeNode("##g", "%s: %+.4e (%zu term%s)", g.title.c_str(), g.sum, g.terms.size(), g.terms.size() == 1 ? "" : "s")) {
                terms_table(g, "w", "w x delta", "which w");
                ImGui::TreePop();
            }
            ImGui::PopID();
        }
        ImGui::Text("dE/d(output) = %+.6e", t.d_out);
    }
    text_wrapped("%s", fprime_text(L.activation, t).c_str());
    text_wrapped("delta = f'(a) x dE/d(output) = %.5f x %+.4e = %+.6e", t.fprime, t.d_out, t.d_pre);
    char b[200];
    std::snprintf(b, sizeof b, "engine: dE/d(output) = %+.6e, delta = %+.6e (%s)", double(t.engine_d_out), double(t.engine_d_pre),
                  t.matches ? "matches" : "differs!");
    checked(t.matches, b);
}

void weight_part(AppState& app, int layer, const lenet_web::WeightTrace& w, int map) {
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    if (!w.valid) {
        ImGui::TextDisabled("%s (%s) has no weight of map %d to trace.", L.name.c_str(), lenet::layer_type_name(L.type), map);
        return;
    }
    ImGui::Text("One weight of map %d: %s = %.4f", map, w.name.c_str(), double(w.w));
    const bool sub = L.type == lenet::LayerType::Pool;
    text_wrapped("dE/dw = sum over the %zu unit%s it feeds of (%s x its delta):", w.grad.terms.size(),
                 w.grad.terms.size() == 1 ? "" : "s", sub ? "window sum" : "input");
    ImGui::PushID("w");
    terms_table(w.grad, sub ? "window sum x" : "input x", "x x delta", "input");
    ImGui::PopID();
    ImGui::Text("dE/dw = %+.6e", w.grad.sum);
    text_wrapped("dE/db of map %d = sum of its %d deltas = %+.6e", map, w.bias_terms, w.bias_grad);
    char b[200];
    std::snprintf(b, sizeof b, "engine: dE/dw = %+.6e, dE/db = %+.6e (%s)", double(w.engine_grad), double(w.engine_bias_grad),
                  w.matches ? "matches" : "differs!");
    checked(w.matches, b);
}

}  // namespace

void draw_backward_trace_panel(AppState& app) {
    const int layer = lenet_web::train_step_layer(*app.net, app.backward.step);
    if (layer < 0) {
        text_wrapped("Step to a backward step (OUTPUT' .. C1'), then click a unit of its dE/d(output) maps to see "
                     "its delta computed with the actual numbers.");
        return;
    }
    const std::string step = lenet_web::train_step_name(*app.net, app.backward.step);
    const BackwardTraceView* v = backward_trace(app);
    if (!v) {
        text_wrapped("Click a unit of %s's dE/d(output) maps to trace it: its delta from the units it feeds, and "
                     "one weight's gradient, checked against the engine.", step.c_str());
        return;
    }
    const lenet::Shape s = app.net->layers()[size_t(layer)].out;
    if (s.h * s.w > 1) ImGui::Text("Unit %s map %d, y %d, x %d", step.c_str(), v->map, v->y, v->x);
    else ImGui::Text("Unit %s %d", step.c_str(), v->map);
    ImGui::SameLine();
    if (ImGui::SmallButton("clear")) app.unit_map = -1;
    ImGui::TextDisabled("forward: a = %.4f, output = %.4f", double(v->t.pre), double(v->t.out));
    text_wrapped("Its delta = dE/da = f'(a) x dE/d(output).");
    delta_part(app, layer, v->t);
    ImGui::Separator();
    weight_part(app, layer, v->w, v->map);
}
