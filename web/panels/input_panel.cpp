// web/panels/input_panel.cpp — the input: a drawing pad (mouse and touch: SDL turns touches into
// mouse events; brush size; clear) whose strokes run the engine live, the preprocessing strip
// (pad -> ink box -> 20x20 -> centred 28x28 -> the network's input), the prediction, and the
// test-set browser (index, previous/next, random, next misclassified, true label).
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

// Anti-aliased round brush along the segment a-b (pad pixels); ink only grows.
void paint_segment(DrawPad& pad, ImVec2 a, ImVec2 b) {
    const float r = pad.brush;
    const int x0 = std::max(0, int(std::floor(std::min(a.x, b.x) - r - 1)));
    const int x1 = std::min(DrawPad::kSize - 1, int(std::ceil(std::max(a.x, b.x) + r + 1)));
    const int y0 = std::max(0, int(std::floor(std::min(a.y, b.y) - r - 1)));
    const int y1 = std::min(DrawPad::kSize - 1, int(std::ceil(std::max(a.y, b.y) + r + 1)));
    const float dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
            const float px = float(x) + 0.5f, py = float(y) + 0.5f;
            float t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0.0f;
            t = std::clamp(t, 0.0f, 1.0f);
            const float ex = a.x + t * dx - px, ey = a.y + t * dy - py;
            const float v = std::clamp(r - std::sqrt(ex * ex + ey * ey) + 0.5f, 0.0f, 1.0f);
            float& ink = pad.ink[size_t(y) * DrawPad::kSize + x];
            ink = std::max(ink, v);
        }
    pad.dirty = true;
    pad.changed = true;
}

void draw_pad(AppState& app) {
    DrawPad& pad = app.pad;
    const float side = std::min(ImGui::GetContentRegionAvail().x, app.stacked ? 300.0f : 240.0f);
    ColorScale gray{ColorMode::Gray, 0.0f, 1.0f};
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    draw_heatmap(app, "##pad", app.tex.pad, ImVec2(side, side), ImVec2(0, 0), ImVec2(1, 1), gray);
    pad.pos = p0;
    pad.size = ImVec2(side, side);
    const bool active = ImGui::IsItemActive();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRect(p0, ImVec2(p0.x + side, p0.y + side),
                active ? IM_COL32(240, 170, 60, 255) : IM_COL32(110, 120, 140, 255), 0.0f, 0, 2.0f);
    if (pad.strokes == 0 && !active)
        dl->AddText(ImVec2(p0.x + 10, p0.y + 8), ImGui::GetColorU32(theme::kPadHint), "Draw a digit here");
    const ImVec2 m = ImGui::GetIO().MousePos;
    const ImVec2 cur((m.x - p0.x) / side * DrawPad::kSize, (m.y - p0.y) / side * DrawPad::kSize);
    if (ImGui::IsItemActivated()) {
        pad.stroke = true;
        pad.last = cur;
        paint_segment(pad, cur, cur);
    } else if (active && pad.stroke) {
        if (cur.x != pad.last.x || cur.y != pad.last.y) paint_segment(pad, pad.last, cur);
        pad.last = cur;
    }
    if (pad.stroke && !active) {
        pad.stroke = false;
        pad.strokes++;
        platform_announce("Drawing: the network reads " + class_name(app, app.prediction.label));
    }
    if (pad.changed) {  // the ink's texture follows at the next refresh_textures (pad.dirty)
        pad.changed = false;
        set_drawn_input(app);  // preprocessing + forward pass, live
    }
    ImGui::SetNextItemWidth(std::max(60.0f, side - 70.0f));
    ImGui::SliderFloat("##brush", &pad.brush, 2.0f, 16.0f, "brush %.0f px");
    ImGui::SameLine();
    if (ImGui::Button("Clear")) {
        clear_pad(app);
        platform_announce("Drawing pad cleared");
    }
}

void step_image(AppState& app, const char* id, const Heatmap& h, float size, const char* caption, const ColorScale& s) {
    ImGui::BeginGroup();
    float w = size, hh = size;
    if (h.w > 0 && h.h > 0) {  // keep the aspect ratio (the ink box is not square)
        if (h.w > h.h) hh = size * float(h.h) / float(h.w);
        else w = size * float(h.w) / float(h.h);
    }
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(size, size));
    ImGui::SetCursorScreenPos(ImVec2(p.x + (size - w) * 0.5f, p.y + (size - hh) * 0.5f));
    ImVec2 uv;
    if (draw_heatmap(app, id, h, ImVec2(w, hh), ImVec2(0, 0), ImVec2(1, 1), s, &uv) && h.w > 0) {
        const int x = int(uv.x * float(h.w)), y = int(uv.y * float(h.h));
        ImGui::SetTooltip("%s: %dx%d, (%d, %d) = %.3f", caption, h.w, h.h, x, y, double(heatmap_value(h, size_t(y) * h.w + x)));
    }
    // The caption wraps at the image's width ("32x32" over "input"): wider, it would push the strip
    // past the panel's edge, which cuts the last caption off.
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + size + 2));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + size);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextUnformatted(caption);
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    app.strip_captions.push_back({caption, ImGui::GetItemRectSize().x, size, ImGui::GetItemRectMax().x,
                                  ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x});
    ImGui::EndGroup();
}

void preprocessing_strip(AppState& app) {
    app.strip_captions.clear();
    const ColorScale gray{ColorMode::Gray, 0.0f, 1.0f};
    const float avail = ImGui::GetContentRegionAvail().x;
    const bool drawn = app.source == InputSource::Draw && !app.pre.gray.empty();
    const int n = drawn ? 5 : 2;
    const float size = std::min(64.0f, (avail - 8.0f * float(n - 1)) / float(n));
    if (drawn) {
        step_image(app, "##s0", app.tex.steps[0], size, "pad", gray);
        ImGui::SameLine();
        if (!app.pre.empty) {
            step_image(app, "##s1", app.tex.steps[1], size, "ink box", gray);
            ImGui::SameLine();
            step_image(app, "##s2", app.tex.steps[2], size, "20x20", gray);
            ImGui::SameLine();
        }
    }
    step_image(app, "##s3", app.tex.steps[3], size, "28x28", gray);
    ImGui::SameLine();
    const lenet::Shape in = app.net->input_shape();
    char cap[32];
    std::snprintf(cap, sizeof cap, "%dx%d input", in.h, in.w);
    step_image(app, "##s4", app.tex.input, size, cap, view_scale(app, 0, false));
    const bool paper = app.net->spec().norm == lenet::InputNorm::Paper;
    std::string pad_to = in.h == 28 && in.w == 28 ? "" : "padded to " + std::to_string(in.h) + "x" + std::to_string(in.w) + ", ";
    text_wrapped("%s%s%s", drawn ? "Ink cropped, fitted into 20x20, centred by its centre of mass in 28x28, " :
                                         "Test digit (28x28), ",
                 pad_to.c_str(),
                 paper ? "background -0.1 and ink 1.175 (the paper's scaling)." : "pixel / 255 in [0, 1].");
}

void prediction_line(AppState& app) {
    const int p = app.prediction.label;
    ImGui::TextUnformatted("Prediction:");
    ImGui::SameLine();
    ImGui::SetWindowFontScale(1.6f);
    const bool test = app.source == InputSource::Test && app.test.count > 0;
    const int truth = test ? app.test.labels[size_t(app.sample)] : -1;
    const ImVec4 col = !test ? theme::kPlain : (p == truth ? theme::kGood : theme::kBad);
    ImGui::TextColored(col, "%s", class_name(app, p).c_str());
    app.prediction_rect = {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
    ImGui::SetWindowFontScale(1.0f);
    if (p >= 0 && size_t(p) < app.prediction.scores.size()) {
        ImGui::SameLine();
        if (penalty_output(app))
            ImGui::TextDisabled("(distance %.1f)", double(app.prediction.scores[size_t(p)]));
        else
            ImGui::TextDisabled("(p = %.1f%%)", 100.0 * double(app.prediction.scores[size_t(p)]));
    }
    const WeightsStatus status = weights_status(app);
    if (status == WeightsStatus::Untrained) ImGui::TextColored(theme::kWarn, "untrained weights: a guess");
    if (status == WeightsStatus::TrainedHere)
        ImGui::TextDisabled("weights trained here from %s: %s samples so far", trained_from(app).c_str(),
                            fmt_int(train_samples_seen(app)).c_str());
}

void test_browser(AppState& app) {
    if (app.test.count <= 0) {
        text_wrapped("Test set not available: %s", app.data_error.c_str());
        return;
    }
    text_wrapped("%s test set, %s digits%s", app.dataset == "fashion" ? "Fashion-MNIST" : "MNIST",
                 fmt_int(app.test.count).c_str(), app.test_full ? "" : " so far (the rest is downloading)");
    if (!app.waiting.empty()) text_wrapped("%s", app.waiting.c_str());
    int idx = app.sample;
    ImGui::SetNextItemWidth(110);
    if (ImGui::InputInt("index", &idx, 1, 100, ImGuiInputTextFlags_EnterReturnsTrue) || idx != app.sample) {
        idx = std::clamp(idx, 0, app.test.count - 1);
        if (idx != app.sample || app.source != InputSource::Test) set_sample(app, idx);
    }
    if (ImGui::Button("< Prev##t")) set_sample(app, (app.sample + app.test.count - 1) % app.test.count);
    ImGui::SameLine();
    if (ImGui::Button("Next >##t")) set_sample(app, (app.sample + 1) % app.test.count);
    ImGui::SameLine();
    if (ImGui::Button("Random")) {
        app.rng ^= app.rng << 13;  // xorshift64
        app.rng ^= app.rng >> 7;
        app.rng ^= app.rng << 17;
        set_sample(app, int(app.rng % uint64_t(app.test.count)));
    }
    if (ImGui::Button(app.scanning ? "Stop search" : "Next misclassified")) {
        app.scanning = !app.scanning;
        app.scan_next = app.sample;
        app.scan_message.clear();
    }
    if (!app.scan_message.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", app.scan_message.c_str());
    }
    if (app.source == InputSource::Test) {
        const int label = app.test.labels[size_t(app.sample)];
        ImGui::Text("Digit #%d, true label: %s", app.sample, class_name(app, label).c_str());
    } else {
        ImGui::TextDisabled("(showing the drawing; pick a digit to switch back)");
        if (ImGui::Button("Show test digit")) set_sample(app, app.sample);
    }
}

}  // namespace

void draw_input_panel(AppState& app) {
    ImGui::TextColored(theme::kTitle, "Input: %s",
                       app.source == InputSource::Draw ? "your drawing" : "test digit");
    prediction_line(app);
    ImGui::Separator();
    draw_pad(app);
    preprocessing_strip(app);
    ImGui::Separator();
    test_browser(app);
}
