// web/panels/files_panel.cpp — the "Model files" window (app_files.h): open a model file (page: the
// browser's file picker, or drop it on the page; desktop: a path), save the current network as
// .lenet, PyTorch-layout .npz or ONNX (page: downloads; desktop: to the path), and the input
// normalisation the network expects.
#include "app.h"
#include "wrapped.h"

#include <algorithm>
#include <cstdio>

namespace {

constexpr const char* kFormats[3][2] = {
    {"lenet", "our format: the architecture and every tensor"},
    {"npz", "NumPy, PyTorch names and layouts (C1.weight [6,1,5,5], ...)"},
    {"onnx", "ONNX, standard operators: Netron, ONNX Runtime, PyTorch"}};

void save_buttons(AppState& app) {
    const bool web = app.config.platform == "web";
    for (int i = 0; i < 3; ++i) {
        char label[32];
        std::snprintf(label, sizeof label, "%s .%s", web ? "Download" : "Save", kFormats[i][0]);
        if (i > 0) ImGui::SameLine();
        if (ImGui::Button(label)) {
            try {
                if (web) download_model(app, kFormats[i][0]);
                else save_model_to(app, kFormats[i][0], app.files.path);
            } catch (const std::exception& e) {
                app.files.message = std::string("Not saved: ") + e.what();
                app.files.failed  = true;
            }
        }
        app.files.save_buttons[i] = {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kFormats[i][1]);
    }
}

void input_norm(AppState& app) {
    const bool unit = app.net->spec().norm == lenet::InputNorm::Unit;
    ImGui::TextUnformatted("Input pixels:");
    ImGui::SameLine();
    const char* choice = nullptr;
    if (ImGui::RadioButton("pixel/255", unit)) choice = "unit";
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("0 (background) .. 1 (ink), torchvision's ToTensor()");
    ImGui::SameLine();
    if (ImGui::RadioButton("paper", !unit)) choice = "paper";
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("-0.1 (background) .. 1.175 (ink), the 1998 paper's scaling");
    if (choice) {
        try {
            set_input_norm(app, choice);
        } catch (const lenet::Error& e) {
            app.files.message = e.what();
            app.files.failed  = true;
        }
    }
}

}  // namespace

void draw_files_window(AppState& app) {
    ModelFiles& f = app.files;
    if (!f.show) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + 60.0f), ImGuiCond_FirstUseEver,
                            ImVec2(0.5f, 0.0f));
    ImGui::SetNextWindowBgAlpha(1.0f);
    // Grows with its message; text wraps at the window's width (narrower on a phone).
    if (ImGui::Begin("Model files", &f.show, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(vp->Size.x - 40.0f, 540.0f));
        text_wrapped("Network: %s, %s parameters, weights: %s", app.net->spec().name.c_str(),
                     fmt_int(app.net->totals().params).c_str(),
                     f.loaded.empty() ? trained_from(app).c_str() : f.loaded.c_str());
        ImGui::Separator();
        if (app.config.platform == "web") {
            if (ImGui::Button("Open a model file...")) {
                try {
                    platform_pick_model_file();
                } catch (const std::exception& e) {
                    f.message = e.what();
                    f.failed  = true;
                }
            }
            f.open_button = {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
            ImGui::SameLine();
            ImGui::TextDisabled("or drop one on the page");
        } else {
            char buf[512];
            std::snprintf(buf, sizeof buf, "%s", f.path.c_str());
            ImGui::SetNextItemWidth(-80.0f);
            if (ImGui::InputTextWithHint("##path", "path/to/model.onnx, .npz or .lenet", buf, sizeof buf)) f.path = buf;
            ImGui::SameLine();
            if (ImGui::Button("Load")) {
                try {
                    load_model_path(app, f.path);
                } catch (const lenet::Error&) {  // the message is in f.message
                }
            }
        }
        ImGui::TextDisabled("ONNX, a PyTorch state_dict as .npz, or .lenet");
        save_buttons(app);
        input_norm(app);
        if (!f.message.empty()) {
            ImGui::Separator();
            ImGui::PushStyleColor(ImGuiCol_Text, f.failed ? theme::kBad : theme::kGood);
            ImGui::TextUnformatted(f.message.c_str());
            ImGui::PopStyleColor();
        }
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}
