// web/panels/eval_panel.cpp — the Evaluate window: a button and a progress bar, the 10x10 confusion
// matrix (rows: true class, columns: predicted; counts on a colour scale, per-class error rates),
// the rejection curve with the paper's operating point (Section III.C), and the gallery of one
// confusion cell or of every misclassified digit as in the paper's Fig. 8 ("true->predicted" and
// the runner-up under each). A click on a cell opens its gallery; a click on a digit loads it into
// the stepping view. The evaluation itself is app_eval.cpp.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

void draw_header(AppState& app) {
    EvalView& e = app.eval;
    const bool busy = e.requested || (e.run && !e.run->finished());
    if (busy) ImGui::BeginDisabled();
    if (ImGui::Button(e.run ? "Evaluate again" : "Evaluate test set")) eval_request(app);
    if (busy) ImGui::EndDisabled();
    ImGui::SameLine();
    text_wrapped("%s on the %s test set: every digit through the network, a slice per frame.",
                 app.net->spec().name.c_str(), app.dataset == "fashion" ? "Fashion-MNIST" : "MNIST");
    if (!e.message.empty()) ImGui::TextColored(theme::kNotice, "%s", e.message.c_str());
    if (!e.run) return;
    const lenet::EvalReport& r = e.run->report();
    char progress[64];
    std::snprintf(progress, sizeof progress, "%s / %s digits", fmt_int(r.count).c_str(), fmt_int(e.run->total()).c_str());
    ImGui::ProgressBar(e.run->total() ? float(r.count) / float(e.run->total()) : 1.0f, ImVec2(-1, 0), progress);
    ImGui::Text("%s, weights %s: %s errors of %s (%.2f%%), %.2f s", e.arch.c_str(), e.weights.c_str(),
                fmt_int(r.errors).c_str(), fmt_int(r.count).c_str(), 100.0 * r.error_rate(), e.seconds);
    if (e.stale) ImGui::TextColored(theme::kWarn, "The weights have changed since: evaluate again to see the new ones.");
}

// Counts on a log scale (a few errors against ~1,000 right answers per class), with the count in
// each cell in black or white, whichever reads on its colour.
void draw_matrix(AppState& app) {
    EvalView& e = app.eval;
    const lenet::EvalReport& r = e.run->report();
    const int n = r.classes;
    const float cell = std::clamp((ImGui::GetContentRegionAvail().x - 110.0f) / float(n), 30.0f, 46.0f);
    const float ch = ImGui::GetTextLineHeight() + 8.0f, label_w = 28.0f;
    int most = 1;
    for (int c : r.confusion) most = std::max(most, c);
    const ColorScale scale{ColorMode::Sequential, 0.0f, std::log1p(float(most))};
    ImGui::TextColored(theme::kAxis, "Confusion matrix: rows true class, columns predicted; click a cell");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 p = ImGui::GetCursorScreenPos();
    for (int c = 0; c < n; ++c) {  // column headers
        char s[16];
        std::snprintf(s, sizeof s, "%d", c);
        dl->AddText(ImVec2(p.x + label_w + (float(c) + 0.5f) * cell - ImGui::CalcTextSize(s).x * 0.5f, p.y),
                    ImGui::GetColorU32(theme::kAxis), s);
    }
    dl->AddText(ImVec2(p.x + label_w + float(n) * cell + 8.0f, p.y), ImGui::GetColorU32(theme::kAxis), "error");
    p.y += ch;
    e.matrix_pos = ImVec2(p.x + label_w, p.y);
    e.cell_size = ImVec2(cell, ch);
    for (int t = 0; t < n; ++t) {
        char s[16];
        std::snprintf(s, sizeof s, "%d", t);
        const float y = p.y + float(t) * ch;
        dl->AddText(ImVec2(p.x + 4.0f, y + 4.0f), ImGui::GetColorU32(theme::kAxis), s);
        int row = 0;
        for (int q = 0; q < n; ++q) {
            const int count = r.confusion[size_t(t) * n + q];
            row += count;
            const ImVec2 a(p.x + label_w + float(q) * cell, y), b(a.x + cell - 1.0f, a.y + ch - 1.0f);
            const float v = std::log1p(float(count));
            dl->AddRectFilled(a, b, scale_color(scale, v));
            const bool selected = t == e.cell_true && q == e.cell_pred;
            if (selected) dl->AddRect(a, b, ImGui::GetColorU32(theme::kFocus), 0.0f, 0, 2.0f);
            std::snprintf(s, sizeof s, "%d", count);
            const bool bright = v > 0.55f * scale.hi;  // the scale's yellow-green end
            dl->AddText(ImVec2(a.x + (cell - ImGui::CalcTextSize(s).x) * 0.5f, a.y + 4.0f),
                        bright ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255), s);
            ImGui::SetCursorScreenPos(a);
            ImGui::PushID(t * n + q);
            if (ImGui::InvisibleButton("##cell", ImVec2(cell - 1.0f, ch - 1.0f))) eval_select_cell(app, t, q);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("true %s, predicted %s: %d digit%s", class_name(app, t).c_str(),
                                  class_name(app, q).c_str(), count, count == 1 ? "" : "s");
            ImGui::PopID();
        }
        const int right = r.confusion[size_t(t) * n + t];
        if (row) std::snprintf(s, sizeof s, "%.2f%%", 100.0 * double(row - right) / double(row));
        else std::snprintf(s, sizeof s, "-");
        dl->AddText(ImVec2(p.x + label_w + float(n) * cell + 8.0f, y + 4.0f),
                    ImGui::GetColorU32(row - right > 0 ? theme::kBad : theme::kGood), s);
    }
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + float(n) * ch + 4.0f));
    ImGui::Dummy(ImVec2(label_w + float(n) * cell + 70.0f, 0.0f));  // the matrix and its error column
    if (ImGui::SmallButton("All misclassified (Fig. 8)")) eval_select_cell(app, -1, -1);
}

// Error of the digits kept against the fraction rejected, the least confident first, with the
// operating point where the error reaches kPaperError.
void draw_rejection(AppState& app, float width) {
    const EvalView& e = app.eval;
    if (e.curve.empty()) return;
    const char* gap = penalty_output(app) ? "RBF distances" : "probabilities";
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kAxis);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    text_wrapped("Rejection: error of the digits kept (confidence: the gap between the two best %s)", gap);
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    const double x_max = std::clamp(std::ceil(e.operating.rejected * 1.5 * 100.0) / 100.0, 0.05, 0.5);
    const double y_max = std::max(e.curve.front().error, 1e-4) * 1.05;
    const float h = 150.0f, left = 48.0f, bottom = 18.0f;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 o(p.x + left, p.y + h - bottom);  // the origin
    const float w = std::max(100.0f, width - left - 10.0f), ph = h - bottom - 6.0f;
    auto at = [&](double rejected, double error) {
        return ImVec2(o.x + float(rejected / x_max) * w, o.y - float(error / y_max) * ph);
    };
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 axis = ImGui::GetColorU32(theme::kAxis);
    dl->AddLine(o, ImVec2(o.x + w, o.y), axis);
    dl->AddLine(o, ImVec2(o.x, o.y - ph), axis);
    char s[48];
    std::snprintf(s, sizeof s, "%.2f%%", 100.0 * y_max);
    dl->AddText(ImVec2(p.x, o.y - ph), axis, s);
    dl->AddText(ImVec2(p.x + 16.0f, o.y - 8.0f), axis, "0");
    std::snprintf(s, sizeof s, "%.0f%% rejected", 100.0 * x_max);
    dl->AddText(ImVec2(o.x + w - ImGui::CalcTextSize(s).x, o.y + 2.0f), axis, s);
    std::vector<ImVec2> line;
    for (const lenet::RejectionPoint& q : e.curve)
        if (q.rejected <= x_max + 1e-9) line.push_back(at(q.rejected, q.error));
    dl->AddPolyline(line.data(), int(line.size()), ImGui::GetColorU32(theme::kGood), 0, 2.0f);
    const float target_y = at(0, kPaperError).y;
    if (target_y > o.y - ph) dl->AddLine(ImVec2(o.x, target_y), ImVec2(o.x + w, target_y), IM_COL32(150, 150, 160, 120));
    const ImVec2 op = at(e.operating.rejected, e.operating.error);
    dl->AddCircleFilled(op, 5.0f, ImGui::GetColorU32(theme::kWarn));
    ImGui::Dummy(ImVec2(width, h));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    text_wrapped("%.1f%% error needs %.2f%% of the digits rejected (%s of %s); without rejection: %.2f%%.",
                 100.0 * kPaperError, 100.0 * e.operating.rejected,
                 fmt_int(std::lround(e.operating.rejected * e.run->total())).c_str(),
                 fmt_int(e.run->total()).c_str(), 100.0 * e.curve.front().error);
    ImGui::PopTextWrapPos();
}

void draw_gallery(AppState& app) {
    EvalView& e = app.eval;
    const lenet::EvalReport& r = e.run->report();
    if (e.cell_true < 0)
        ImGui::Text("Misclassified digits (as the paper's Fig. 8): %s", fmt_int(long(e.gallery.size())).c_str());
    else
        ImGui::Text("True %s, predicted %s: %s digits", class_name(app, e.cell_true).c_str(),
                    class_name(app, e.cell_pred).c_str(), fmt_int(long(e.gallery.size())).c_str());
    if (int(e.gallery.size()) > kGalleryMax)
        ImGui::TextColored(theme::kAxis, "showing the first %d", kGalleryMax);
    ImGui::TextColored(theme::kAxis, "under each: true->predicted, and the runner-up; click one to step through it");
    e.tiles.clear();
    if (!e.atlas.tex || e.atlas_count == 0 || e.gallery_dirty) return;
    const lenet::Dataset& d = app.test;
    const float side = 56.0f, tile_w = 64.0f, tile_h = side + 2.0f * ImGui::GetTextLineHeight() + 6.0f;
    const int per_row = std::max(1, int(ImGui::GetContentRegionAvail().x / tile_w));
    const ColorScale gray{ColorMode::Gray, 0.0f, 1.0f};
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    for (int k = 0; k < e.atlas_count; ++k) {
        const int index = e.gallery[size_t(k)];
        const ImVec2 a(p0.x + float(k % per_row) * tile_w, p0.y + float(k / per_row) * tile_h);
        ImGui::SetCursorScreenPos(a);
        const float u = float(k % e.atlas_cols) * d.cols / float(e.atlas.w), v = float(k / e.atlas_cols) * d.rows / float(e.atlas.h);
        const ImVec2 uv0(u, v), uv1(u + float(d.cols) / float(e.atlas.w), v + float(d.rows) / float(e.atlas.h));
        ImGui::PushID(index);
        draw_heatmap(app, "##digit", e.atlas, ImVec2(side, side), uv0, uv1, gray);
        const bool clicked = ImGui::IsItemClicked();
        const bool hovered = ImGui::IsItemHovered();
        ImGui::PopID();
        const int label = r.labels[size_t(index)], pred = r.predicted[size_t(index)], second = r.runner_up[size_t(index)];
        if (hovered)
            ImGui::SetTooltip("#%d: true %s, predicted %s, runner-up %s", index, class_name(app, label).c_str(),
                              class_name(app, pred).c_str(), class_name(app, second).c_str());
        if (index == app.sample && app.source == InputSource::Test)
            ImGui::GetWindowDrawList()->AddRect(a, ImVec2(a.x + side, a.y + side), ImGui::GetColorU32(theme::kFocus), 0.0f, 0, 2.0f);
        ImGui::SetCursorScreenPos(ImVec2(a.x, a.y + side + 2.0f));
        ImGui::TextColored(label == pred ? theme::kGood : theme::kBad, "%d->%d", label, pred);
        ImGui::SetCursorScreenPos(ImVec2(a.x, a.y + side + 2.0f + ImGui::GetTextLineHeight()));
        ImGui::TextColored(theme::kAxis, "2nd %d", second);
        e.tiles.push_back({index, {a, ImVec2(a.x + side, a.y + side)}});
        if (clicked) {
            try {
                set_sample(app, index);
            } catch (const lenet::Error& err) {
                app.notices.push_back(err.what());
            }
        }
    }
    const int rows = (e.atlas_count + per_row - 1) / per_row;
    ImGui::SetCursorScreenPos(ImVec2(p0.x, p0.y + float(rows) * tile_h));
    ImGui::Dummy(ImVec2(1, 1));
}

}  // namespace

void draw_eval_window(AppState& app) {
    EvalView& e = app.eval;
    if (!e.show) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.22f, vp->Pos.y + 60.0f), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(std::min(vp->Size.x * 0.76f, 980.0f), vp->Size.y - 80.0f), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the panels behind would show through the text
    if (ImGui::Begin("Evaluate test set", &e.show)) {
        draw_header(app);
        if (e.run && e.run->finished()) {
            ImGui::Separator();
            const float avail = ImGui::GetContentRegionAvail().x;
            const bool side_by_side = avail > 760.0f;
            ImGui::BeginGroup();
            draw_matrix(app);
            ImGui::EndGroup();
            if (side_by_side) ImGui::SameLine(0.0f, 24.0f);
            ImGui::BeginGroup();
            draw_rejection(app, side_by_side ? ImGui::GetContentRegionAvail().x : avail);
            ImGui::EndGroup();
            ImGui::Separator();
            draw_gallery(app);
        } else {
            e.tiles.clear();
        }
    }
    ImGui::End();
}
