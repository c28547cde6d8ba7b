// web/panels/top_panel.cpp — the top bar: architecture (presets; a JSON spec file on the desktop),
// test set, weights with the "untrained" badge, the summary button and the frame time.
#include "app.h"

#include <cstdio>

namespace {

void arch_combo(AppState& app) {
    ImGui::SetNextItemWidth(130);
    if (ImGui::BeginCombo("Architecture", app.net->spec().name.c_str())) {
        for (const std::string& name : app.presets) {
            if (ImGui::Selectable(name.c_str(), name == app.arch) && name != app.arch) {
                try {
                    select_arch(app, name);
                } catch (const lenet::Error& e) {
                    app.notices.push_back(e.what());
                }
            }
            if (ImGui::IsItemHovered()) {
                try {
                    ImGui::SetTooltip("%s", lenet::arch_preset(name).description.c_str());
                } catch (const lenet::Error&) {
                }
            }
        }
        ImGui::EndCombo();
    }
}

void spec_file(AppState& app) {
    // Desktop only: the browser has no file system of the user's to read from.
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s", app.spec_path.c_str());
    ImGui::SetNextItemWidth(200);
    if (ImGui::InputTextWithHint("##spec", "spec.json path", buf, sizeof buf)) app.spec_path = buf;
    ImGui::SameLine();
    if (ImGui::Button("Load spec")) {
        try {
            select_arch(app, app.spec_path);
        } catch (const lenet::Error& e) {
            app.arch_error = e.what();
            app.notices.push_back(std::string("Spec not loaded: ") + e.what());
        }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Load an architecture from a JSON spec file (docs/architecture-spec.md)");
}

void data_combo(AppState& app) {
    ImGui::SetNextItemWidth(130);
    const char* label = app.dataset == "fashion" ? "Fashion-MNIST" : "MNIST";
    if (ImGui::BeginCombo("Data", label)) {
        const char* ids[2] = {"mnist", "fashion"};
        const char* names[2] = {"MNIST", "Fashion-MNIST"};
        for (int i = 0; i < 2; ++i)
            if (ImGui::Selectable(names[i], app.dataset == ids[i]) && app.dataset != ids[i]) {
                try {
                    select_dataset(app, ids[i]);
                } catch (const lenet::Error& e) {
                    app.notices.push_back(std::string("Data set not loaded: ") + e.what());
                }
            }
        ImGui::EndCombo();
    }
}

void weights_combo(AppState& app) {
    char untrained[64];
    std::snprintf(untrained, sizeof untrained, "untrained (seed %llu)", static_cast<unsigned long long>(app.seed));
    const std::string trained_here = trained_from(app) + ", trained here";
    const WeightsStatus status = weights_status(app);
    const char* preview = status == WeightsStatus::Shipped       ? app.weights.c_str()
                          : status == WeightsStatus::Loaded      ? app.files.loaded.c_str()
                          : status == WeightsStatus::TrainedHere ? trained_here.c_str()
                                                                 : untrained;
    ImGui::SetNextItemWidth(190);
    if (ImGui::BeginCombo("Weights", preview)) {
        if (ImGui::Selectable(untrained, app.weights.empty())) select_weights(app, "");
        for (const WeightsFile& w : app.weights_files) {
            if (w.arch != app.net->spec().name) continue;
            if (ImGui::Selectable(w.file.c_str(), w.file == app.weights) && w.file != app.weights) {
                try {
                    select_weights(app, w.file);
                } catch (const lenet::Error& e) {
                    app.notices.push_back(std::string("Weights not loaded: ") + e.what());
                }
            }
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    const WeightsStatus badge = weights_status(app);  // the combo may have changed the weights
    if (badge == WeightsStatus::TrainedHere) {
        ImGui::PushStyleColor(ImGuiCol_Button, theme::kBadgeTrainedHere);
        ImGui::SmallButton("trained here");
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Weights trained in this session (Train tab) from %s: %s samples so far.",
                              trained_from(app).c_str(), fmt_int(train_samples_seen(app)).c_str());
    } else if (badge == WeightsStatus::Loaded) {
        ImGui::PushStyleColor(ImGuiCol_Button, theme::kBadgeTrainedHere);
        ImGui::SmallButton("your file");
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Network and weights from %s (%s), loaded in Files.", app.files.loaded.c_str(),
                              app.files.format.c_str());
    } else if (badge == WeightsStatus::Untrained) {
        ImGui::PushStyleColor(ImGuiCol_Button, theme::kBadgeUntrained);
        ImGui::SmallButton("UNTRAINED");
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("No trained weights for %s on %s were found in assets/weights/:\n"
                              "the network has random initial weights, so its predictions are guesses.\n"
                              "Train it in the Train tab, or with `lenet5 train`.",
                              app.net->spec().name.c_str(), app.dataset.c_str());
    } else {
        ImGui::PushStyleColor(ImGuiCol_Button, theme::kBadgeTrained);
        ImGui::SmallButton("trained");
        ImGui::PopStyleColor();
    }
}

}  // namespace

void draw_top_panel(AppState& app) {
    ImGui::TextColored(theme::kTitle, "LeNet-5 Explorer");
    ImGui::SameLine();
    arch_combo(app);
    if (app.config.platform == "desktop") {
        ImGui::SameLine();
        spec_file(app);
    }
    if (!app.stacked) ImGui::SameLine();
    data_combo(app);
    if (!app.stacked) ImGui::SameLine();
    weights_combo(app);
    if (!app.stacked) {  // the buttons on this line if they fit (the desktop's spec field takes room)
        ImGui::SameLine();
        const ImGuiStyle& st = ImGui::GetStyle();
        if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("Hide summary Evaluate Files").x + 6 * st.FramePadding.x)
            ImGui::NewLine();
    }
    if (ImGui::Button(app.show_summary ? "Hide summary" : "Summary")) app.show_summary = !app.show_summary;
    ImGui::SameLine();
    if (ImGui::Button("Evaluate")) app.eval.show = !app.eval.show;
    ImGui::SameLine();
    if (ImGui::Button("Files")) app.files.show = !app.files.show;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Load your own model (ONNX, PyTorch .npz, .lenet) or save this one");
}
