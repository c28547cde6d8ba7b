// web/panels/train_panel.cpp — the Train tab: the training settings, start / continue / pause /
// re-initialise, and the loss and error plotted as it goes. The training itself is app_train.cpp.
#include "app.h"

#include <algorithm>
#include <cfloat>

void draw_train_panel(AppState& app) {
    TrainState& t = app.train;
    ImGui::TextWrapped("Train %s here, a few milliseconds per frame. The views follow the weights as they change.",
                       app.net->spec().name.c_str());
    const bool busy = t.running;
    if (busy) ImGui::BeginDisabled();
    ImGui::SetNextItemWidth(120);
    ImGui::Combo("optimizer", &t.optimizer, "SGD\0SDLM (paper)\0");
    ImGui::SetNextItemWidth(120);
    ImGui::InputFloat("eta", &t.lr, 0.0f, 0.0f, "%.5f");
    t.lr = std::clamp(t.lr, 1e-6f, 1.0f);
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("batch", &t.batch, 1, 64);
    ImGui::Checkbox("distortions", &t.distort);
    if (busy) ImGui::EndDisabled();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("ms per frame", &t.budget_ms, 1.0f, 30.0f, "%.0f");
    if (!t.running) {
        if (ImGui::Button(t.trainer ? "Restart from current weights" : "Start training")) {
            try {
                train_start(app);
            } catch (const lenet::Error& e) {
                t.error = e.what();
            }
        }
        if (t.trainer) {
            ImGui::SameLine();
            if (ImGui::Button("Continue")) train_resume(app);
        }
        ImGui::SameLine();
        if (ImGui::Button("Re-initialise")) train_reinitialise(app);
    } else if (ImGui::Button("Pause")) {
        train_pause(app);
    }
    if (!t.error.empty()) ImGui::TextColored(theme::kBad, "%s", t.error.c_str());
    if (!t.trainer) return;
    ImGui::TextWrapped("Data: %s", t.data_note.c_str());
    const lenet::TrainProgress& p = t.last;
    ImGui::Text("pass %d, %s / %s samples%s, %.0f samples/s", p.epoch + 1, fmt_int(p.position).c_str(),
                fmt_int(p.epoch_size).c_str(), p.hessian_phase ? " (estimating h_kk)" : "", p.samples_per_sec);
    ImGui::Text("this pass: loss %.4f, error %.2f%%", double(p.loss), 100.0 * double(p.error));
    const float w = ImGui::GetContentRegionAvail().x;
    if (!t.loss.empty()) {
        ImGui::PlotLines("##loss", t.loss.data(), int(t.loss.size()), 0, "loss (running mean of the pass)", 0.0f, FLT_MAX, ImVec2(w, 70));
        ImGui::PlotLines("##err", t.err.data(), int(t.err.size()), 0, "training error %", 0.0f, FLT_MAX, ImVec2(w, 70));
    }
}
