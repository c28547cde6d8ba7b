// web/app.cpp — the shared app (web and desktop), minimal version: one ImGui window with the engine
// version, an architecture preset picker with the layer table (params, connections, MACs), and the
// first digits of the MNIST test set read from the asset folder. The visualizer work replaces this
// file; keep the web/platform.h contract and the state fields tests rely on.
//
// app_state_json() fields: {"preset": name, "layers": [names...], "params": total trainable,
//   "connections": total, "test_digits": count loaded (0 if the data could not be read),
//   "data_error": "" or the lenet::Error text}
// app_command() commands: {"cmd":"select_preset","name":"lenet5"} -> {"ok":true,...}; an unknown
//   preset gives {"ok":false,"error":"<lenet::Error what()>"} (thrown by the engine, caught by the
//   platform: this is how the e2e test checks that C++ exceptions work in the wasm build).
#include "platform.h"

#include <imgui.h>
#include <lenet/lenet.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

struct AppState {
    AppConfig                       config;
    std::vector<std::string>        presets;
    std::string                     preset;
    std::unique_ptr<lenet::Network> net;
    lenet::Dataset                  test;          // MNIST test set (may be empty, see data_error)
    std::string                     data_error;
};

namespace {

void select_preset(AppState& app, const std::string& name) {
    auto net = std::make_unique<lenet::Network>(lenet::arch_preset(name));  // throws lenet::Error
    app.net    = std::move(net);
    app.preset = name;
    platform_announce("Architecture " + name + ": " + std::to_string(app.net->layers().size()) + " layers");
}

// One 28x28 digit as filled rectangles, `cell` pixels per MNIST pixel.
void draw_digit(const lenet::Dataset& d, int index, float cell) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2      p0 = ImGui::GetCursorScreenPos();
    const uint8_t* px = d.image(index);
    for (int y = 0; y < d.rows; ++y)
        for (int x = 0; x < d.cols; ++x) {
            ImU32  c = IM_COL32(px[y * d.cols + x], px[y * d.cols + x], px[y * d.cols + x], 255);
            ImVec2 a(p0.x + x * cell, p0.y + y * cell);
            dl->AddRectFilled(a, ImVec2(a.x + cell, a.y + cell), c);
        }
    ImGui::Dummy(ImVec2(d.cols * cell, d.rows * cell));
}

}  // namespace

AppState* app_create(const AppConfig& config) {
    auto app     = std::make_unique<AppState>();
    app->config  = config;
    app->presets = lenet::arch_preset_names();
    select_preset(*app, "lenet5-1998");
    try {
        app->test = lenet::load_dataset_dir(config.asset_dir + "/data/mnist", "test");
    } catch (const lenet::Error& e) {
        app->data_error = e.what();  // shown in the window; the rest of the app still works
    }
    return app.release();
}

void app_destroy(AppState* app) { delete app; }

void app_frame(AppState& app, const FrameInfo& frame) {
    ImGui::SetNextWindowPos(ImVec2(16, 16), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(720, 520), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("LeNet-5 Explorer")) {
        ImGui::Text("LeNet-5 Explorer %s  (%s, %.0f FPS)", lenet::kVersion, app.config.platform.c_str(),
                    ImGui::GetIO().Framerate);
        ImGui::Separator();

        if (ImGui::BeginCombo("Architecture", app.preset.c_str())) {
            for (const std::string& name : app.presets)
                if (ImGui::Selectable(name.c_str(), name == app.preset) && name != app.preset)
                    select_preset(app, name);
            ImGui::EndCombo();
        }

        const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
        if (ImGui::BeginTable("layers", 6, flags)) {
            ImGui::TableSetupColumn("Layer");
            ImGui::TableSetupColumn("Type");
            ImGui::TableSetupColumn("Input");
            ImGui::TableSetupColumn("Output");
            ImGui::TableSetupColumn("Params");
            ImGui::TableSetupColumn("Connections");
            ImGui::TableHeadersRow();
            for (const lenet::LayerInfo& L : app.net->layers()) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn(); ImGui::TextUnformatted(L.name.c_str());
                ImGui::TableNextColumn(); ImGui::TextUnformatted(lenet::layer_type_name(L.type));
                ImGui::TableNextColumn(); ImGui::TextUnformatted(lenet::shape_str(L.in).c_str());
                ImGui::TableNextColumn(); ImGui::TextUnformatted(lenet::shape_str(L.out).c_str());
                ImGui::TableNextColumn(); ImGui::Text("%lld", static_cast<long long>(L.params));
                ImGui::TableNextColumn(); ImGui::Text("%lld", static_cast<long long>(L.connections));
            }
            lenet::Totals t = app.net->totals();
            ImGui::TableNextRow();
            ImGui::TableNextColumn(); ImGui::TextUnformatted("Total");
            for (int i = 0; i < 3; ++i) ImGui::TableNextColumn();
            ImGui::TableNextColumn(); ImGui::Text("%lld", static_cast<long long>(t.params));
            ImGui::TableNextColumn(); ImGui::Text("%lld", static_cast<long long>(t.connections));
            ImGui::EndTable();
        }

        ImGui::Separator();
        if (!app.data_error.empty()) {
            ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.4f, 1.0f), "MNIST test set: %s", app.data_error.c_str());
        } else {
            ImGui::Text("MNIST test set: %d digits. The first ones:", app.test.count);
            for (int i = 0; i < 8 && i < app.test.count; ++i) {
                ImGui::BeginGroup();
                draw_digit(app.test, i, 2.0f);
                ImGui::Text("label %d", app.test.labels[size_t(i)]);
                ImGui::EndGroup();
                ImGui::SameLine();
            }
            ImGui::NewLine();
        }
        (void)frame;
    }
    ImGui::End();
}

std::string app_state_json(const AppState& app) {
    nlohmann::json layers = nlohmann::json::array();
    for (const lenet::LayerInfo& L : app.net->layers()) layers.push_back(L.name);
    lenet::Totals t = app.net->totals();
    return nlohmann::json({{"preset", app.preset},
                           {"layers", layers},
                           {"params", t.params},
                           {"connections", t.connections},
                           {"test_digits", app.test.count},
                           {"data_error", app.data_error}})
        .dump();
}

std::string app_command(AppState& app, const std::string& json) {
    nlohmann::json cmd = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (!cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string())
        return R"({"ok":false,"error":"expected a JSON object {\"cmd\": \"...\"}"})";
    const std::string name = cmd["cmd"];
    if (name == "select_preset") {
        if (!cmd.contains("name") || !cmd["name"].is_string())
            return R"({"ok":false,"error":"select_preset needs \"name\""})";
        select_preset(app, cmd["name"].get<std::string>());  // throws lenet::Error for an unknown preset
        return nlohmann::json({{"ok", true}, {"preset", app.preset}}).dump();
    }
    return nlohmann::json({{"ok", false}, {"error", "unknown command '" + name + "'"}}).dump();
}
