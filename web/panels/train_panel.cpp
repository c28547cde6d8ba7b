// web/panels/train_panel.cpp — the Train tab: the settings, Start / Pause, one sample, one minibatch,
// Re-initialise, back to the shipped weights, the training set's download, and the plots: training
// loss, held-out test error, samples/s, eta and pass. The training itself is app_train.cpp.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>

namespace {

const char* data_title(const std::string& dataset) { return dataset == "fashion" ? "Fashion-MNIST" : "MNIST"; }

void settings(AppState& app) {
    TrainState& t = app.train;
    TrainSettings& s = t.settings;
    const bool busy = t.running;
    if (busy) ImGui::BeginDisabled();
    int opt = s.optimizer == lenet::Optimizer::Sdlm ? 1 : 0;
    ImGui::SetNextItemWidth(150);
    if (ImGui::Combo("optimiser", &opt, "SGD\0SDLM (paper)\0")) s.optimizer = opt ? lenet::Optimizer::Sdlm : lenet::Optimizer::Sgd;
    int sched = s.schedule == lenet::Schedule::Paper ? 1 : 0;
    ImGui::SetNextItemWidth(150);
    if (ImGui::Combo("schedule", &sched, "constant\0the paper's\0"))
        s.schedule = sched ? lenet::Schedule::Paper : lenet::Schedule::Constant;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("The paper's: eta for passes 1-2, x0.4 for 3-5, x0.2 for 6-8, x0.1 for 9-12, x0.02 after");
    ImGui::SetNextItemWidth(150);
    ImGui::InputFloat("eta (learning rate)", &s.lr, 0.0f, 0.0f, "%.6f");
    s.lr = std::clamp(s.lr, 1e-7f, 1.0f);
    ImGui::SetNextItemWidth(150);
    ImGui::SliderInt("batch", &s.batch, 1, 64);
    int loss = int(t.loss);
    ImGui::SetNextItemWidth(150);
    if (ImGui::Combo("loss", &loss, "MSE (eq. 8)\0MAP (eq. 9)\0cross-entropy\0")) t.loss = lenet::LossKind(loss);
    ImGui::Checkbox("distortions", &s.distort);
    ImGui::SameLine();
    int seed = int(s.seed);
    ImGui::SetNextItemWidth(100);
    if (ImGui::InputInt("seed", &seed)) s.seed = uint64_t(std::max(0, seed));
    if (busy) ImGui::EndDisabled();
    ImGui::SetNextItemWidth(150);
    ImGui::SliderFloat("ms per frame", &t.budget_ms, 1.0f, 16.0f, "%.0f");
}

void buttons(AppState& app) {
    TrainState& t = app.train;
    auto guarded = [&](auto fn) {
        try {
            fn();
        } catch (const lenet::Error& e) {
            t.error = e.what();
        }
    };
    if (t.running || t.start_when_ready) {
        if (ImGui::Button("Pause")) train_pause(app);
    } else if (ImGui::Button(train_samples_seen(app) > 0 ? "Continue" : "Start")) {
        guarded([&] { train_resume(app); });
    }
    ImGui::SameLine();
    if (ImGui::Button("One sample")) guarded([&] { train_samples(app, 1); });
    ImGui::SameLine();
    if (ImGui::Button("One minibatch")) guarded([&] { train_samples(app, t.settings.batch); });
    if (ImGui::Button("Re-initialise")) train_reinitialise(app);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fresh random weights (the next seed)");
    ImGui::SameLine();
    if (ImGui::Button("Shipped weights")) guarded([&] { train_shipped(app); });
}

void data_status(AppState& app) {
    TrainState& t = app.train;
    const TrainData& d = t.data;
    if (!d.error.empty() && d.wanted == app.dataset) {
        ImGui::TextColored(theme::kBad, "Cannot train: %s", d.error.c_str());
        if (ImGui::Button("Retry")) train_data_retry(app);
        ImGui::SameLine();
        text_wrapped("Nothing is lost: the network and its weights are as they were.");
        return;
    }
    if (d.set.count > 0 && d.set.name == app.dataset) {
        text_wrapped("Data: the %s training set, %s digits. Errors are measured on test digits it never trains on.",
                     data_title(app.dataset), fmt_int(d.set.count).c_str());
        return;
    }
    if (t.start_when_ready) {
        char label[96];
        const bool preparing = d.loader != nullptr;
        const float f = preparing ? d.prepared() : d.progress;
        std::snprintf(label, sizeof label, "%s the %s training set: %d%%", preparing ? "preparing" : "downloading",
                      data_title(app.dataset), int(f * 100));
        ImGui::ProgressBar(f, ImVec2(-1, 0), label);
        return;
    }
    text_wrapped("Training uses the %s training set (60,000 digits; downloaded when training first starts).",
                 data_title(app.dataset));
}

void held_out(AppState& app) {
    TrainState& t = app.train;
    const HeldOut& h = t.held;
    if (h.error >= 0)
        text_wrapped("Test error (held out, %s test digits): %.2f%%", fmt_int(h.subset.count).c_str(), 100.0 * h.error);
    const bool full_running = h.eval && h.eval_full;
    if (full_running) {
        char label[64];
        std::snprintf(label, sizeof label, "%s / %s test digits", fmt_int(h.eval->done()).c_str(), fmt_int(h.eval->total()).c_str());
        ImGui::ProgressBar(float(h.eval->done()) / float(std::max(1, h.eval->total())), ImVec2(-1, 0), label);
    } else {
        std::string why;
        const bool waiting = test_set_waiting(app, &why);
        if (waiting) ImGui::BeginDisabled();
        if (ImGui::Button("Test on the whole test set")) {
            try {
                train_evaluate_full(app);
            } catch (const lenet::Error& e) {
                t.error = e.what();
            }
        }
        if (waiting) ImGui::EndDisabled();
        if (h.full_error >= 0) {
            ImGui::SameLine();
            text_wrapped("%.2f%% of %s (after %s samples)", 100.0 * h.full_error, fmt_int(h.full_count).c_str(),
                        fmt_int(h.full_at).c_str());
        }
    }
}

void plot(const char* id, const lenet_web::Series& s, const char* overlay, float w) {
    ImGui::PlotLines(id, s.ys().data(), int(s.size()), 0, overlay, 0.0f, FLT_MAX, ImVec2(w, 54));
}

}  // namespace

void draw_train_panel(AppState& app) {
    TrainState& t = app.train;
    text_wrapped("Train %s here, a slice of every frame. The views follow the weights as they change.",
                 app.net->spec().name.c_str());
    settings(app);
    buttons(app);
    if (!t.error.empty()) ImGui::TextColored(theme::kBad, "%s", t.error.c_str());
    data_status(app);
    const int64_t seen = train_samples_seen(app);
    if (seen == 0 && !t.trainer && t.held.error < 0 && t.held.full_error < 0 && !t.held.eval) {
        held_out(app);
        return;
    }
    const lenet::TrainProgress& p = t.last;
    text_wrapped("pass %d, %s / %s%s; %s samples in all", p.epoch + 1, fmt_int(p.position).c_str(),
                 fmt_int(p.epoch_size).c_str(), p.hessian_phase ? " (estimating h_kk)" : "",
                 fmt_int(seen).c_str());
    const std::string speed = t.running ? "; " + fmt_int(int64_t(t.speed)) + " samples/s" : "";
    text_wrapped("eta %.6f%s", double(p.eta), speed.c_str());
    if (weights_status(app) == WeightsStatus::TrainedHere)
        ImGui::TextDisabled("weights: trained here from %s", trained_from(app).c_str());
    held_out(app);
    const float w = ImGui::GetContentRegionAvail().x;
    char text[96];
    std::snprintf(text, sizeof text, "training loss %.4g", double(t.loss_plot.last()));
    if (!t.loss_plot.empty()) plot("##loss", t.loss_plot, text, w);
    std::snprintf(text, sizeof text, "held-out test error %.2f%%", double(t.test_plot.last()));
    if (!t.test_plot.empty()) plot("##test", t.test_plot, text, w);
    std::snprintf(text, sizeof text, "samples/s %.0f", double(t.speed_plot.last()));
    if (!t.speed_plot.empty()) plot("##speed", t.speed_plot, text, w);
    std::snprintf(text, sizeof text, "eta %.6f", double(t.lr_plot.last()));
    if (!t.lr_plot.empty()) plot("##eta", t.lr_plot, text, w);
    std::snprintf(text, sizeof text, "pass %.0f", double(t.pass_plot.last()));
    if (!t.pass_plot.empty()) plot("##pass", t.pass_plot, text, w);
}
