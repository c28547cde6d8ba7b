// web/app_theme.cpp — the dark theme in one place: ImGui's dark style with the colours behind text
// made dark enough, and the named colours the panels draw text, badges and the layer strip with
// (app.h, namespace theme). Every text colour has a WCAG AA contrast of at least 4.5:1 on each
// background it is drawn on; theme_json lists those pairs and tests/web/labels.test.mjs checks them.
#include "app.h"

#include <nlohmann/json.hpp>

namespace theme {

const ImVec4 kTitle(0.55f, 0.75f, 1.0f, 1.0f);       // "LeNet-5 Explorer", "Input: ..."
const ImVec4 kLayerName(0.95f, 0.65f, 0.25f, 1.0f);  // the current layer's name
const ImVec4 kGood(0.45f, 0.9f, 0.5f, 1.0f);         // a right prediction, a trace that matches
const ImVec4 kBad(1.0f, 0.45f, 0.4f, 1.0f);          // a wrong prediction, a mismatch, an error
const ImVec4 kWarn(1.0f, 0.55f, 0.4f, 1.0f);         // untrained weights
const ImVec4 kNotice(1.0f, 0.75f, 0.35f, 1.0f);      // notices at the top
const ImVec4 kPlain(1.0f, 1.0f, 1.0f, 1.0f);         // the prediction for a drawing
const ImVec4 kPadHint(0.59f, 0.59f, 0.63f, 1.0f);    // "Draw a digit here" on the black pad
const ImVec4 kBarLabel(0.86f, 0.86f, 0.88f, 1.0f);   // output bars: class names
const ImVec4 kBarValue(0.78f, 0.78f, 0.80f, 1.0f);   // output bars: values
const ImVec4 kWinner(0.0f, 1.0f, 0.47f, 1.0f);       // the winning class
const ImVec4 kAxis(0.63f, 0.63f, 0.67f, 1.0f);       // kernel table row and column numbers
const ImVec4 kFocus(1.0f, 0.86f, 0.0f, 1.0f);        // the focused map's row and column numbers
const ImVec4 kStripCurrent(0.85f, 0.55f, 0.15f, 1.0f);   // the layer strip: the current step
const ImVec4 kStripCurrentText(0.08f, 0.08f, 0.08f, 1.0f);
const ImVec4 kStripDone(0.22f, 0.36f, 0.55f, 1.0f);      // steps computed
const ImVec4 kStripTodo(0.20f, 0.22f, 0.26f, 1.0f);      // steps ahead
// The training steps (LOSS, the backward steps, UPDATE) in violet: the current one light with dark
// text (kStripCurrentText), the others dark with white text.
const ImVec4 kStripBackCurrent(0.80f, 0.62f, 0.95f, 1.0f);
const ImVec4 kStripBackDone(0.42f, 0.22f, 0.52f, 1.0f);
const ImVec4 kStripBackTodo(0.25f, 0.17f, 0.30f, 1.0f);
const ImVec4 kBadgeTrainedHere(0.55f, 0.45f, 0.10f, 1.0f);
const ImVec4 kBadgeUntrained(0.65f, 0.20f, 0.15f, 1.0f);
const ImVec4 kBadgeTrained(0.16f, 0.45f, 0.25f, 1.0f);
const ImVec4 kRowCurrent(120 / 255.0f, 80 / 255.0f, 20 / 255.0f, 160 / 255.0f);   // summary table row
const ImVec4 kRowHovered(120 / 255.0f, 100 / 255.0f, 20 / 255.0f, 160 / 255.0f);  // weights table row

}  // namespace theme

void apply_theme() {
    ImVec4* c = ImGui::GetStyle().Colors;
    // ImGui's dark style draws greyed text at 0.5 (4.8:1 on the window) and white text on a hovered
    // or pressed button at 3.0:1 and 3.6:1; these make both comfortably readable.
    c[ImGuiCol_TextDisabled] = ImVec4(0.60f, 0.60f, 0.60f, 1.0f);
    const ImVec4 hovered(0.20f, 0.45f, 0.78f, 1.0f), pressed(0.10f, 0.38f, 0.70f, 1.0f);
    c[ImGuiCol_ButtonHovered] = hovered;
    c[ImGuiCol_ButtonActive] = pressed;
    c[ImGuiCol_HeaderHovered] = ImVec4(hovered.x, hovered.y, hovered.z, 0.80f);
    c[ImGuiCol_HeaderActive] = pressed;
    c[ImGuiCol_TabHovered] = ImVec4(hovered.x, hovered.y, hovered.z, 0.80f);
    c[ImGuiCol_SliderGrab] = hovered;
    c[ImGuiCol_SliderGrabActive] = pressed;
}

std::string theme_json() {
    using nlohmann::json;
    auto rgba = [](const ImVec4& v) { return json::array({v.x, v.y, v.z, v.w}); };
    const ImVec4* c = ImGui::GetStyle().Colors;
    const json canvas = rgba(ImVec4(kCanvasColor[0], kCanvasColor[1], kCanvasColor[2], 1.0f));
    const json window = json::array({canvas, rgba(c[ImGuiCol_WindowBg])});
    auto on = [&](json layers, const ImVec4& top) { layers.push_back(rgba(top)); return layers; };
    const json popup = on(window, c[ImGuiCol_PopupBg]);
    json pairs = json::array();
    auto pair = [&](const char* what, const ImVec4& fg, const json& bg) {
        pairs.push_back({{"what", what}, {"fg", rgba(fg)}, {"bg", bg}});
    };
    const ImVec4 text = c[ImGuiCol_Text];
    pair("text", text, window);
    pair("greyed text", c[ImGuiCol_TextDisabled], window);
    pair("greyed text in a popup", c[ImGuiCol_TextDisabled], popup);
    pair("tooltip text", text, popup);
    pair("title", theme::kTitle, window);
    pair("layer name", theme::kLayerName, window);
    pair("right prediction", theme::kGood, window);
    pair("wrong prediction", theme::kBad, window);
    pair("prediction for a drawing", theme::kPlain, window);
    pair("untrained warning", theme::kWarn, window);
    pair("notice", theme::kNotice, window);
    pair("pad hint", theme::kPadHint, json::array({rgba(ImVec4(0, 0, 0, 1))}));
    pair("bar label", theme::kBarLabel, window);
    pair("bar value", theme::kBarValue, window);
    pair("winning class", theme::kWinner, window);
    pair("kernel table numbers", theme::kAxis, window);
    pair("focused map numbers", theme::kFocus, window);
    pair("button", text, on(window, c[ImGuiCol_Button]));
    pair("hovered button", text, on(window, c[ImGuiCol_ButtonHovered]));
    pair("pressed button", text, on(window, c[ImGuiCol_ButtonActive]));
    pair("slider grab", text, on(on(window, c[ImGuiCol_FrameBg]), c[ImGuiCol_SliderGrab]));
    pair("dragged slider grab", text, on(on(window, c[ImGuiCol_FrameBg]), c[ImGuiCol_SliderGrabActive]));
    pair("field", text, on(window, c[ImGuiCol_FrameBg]));
    pair("hovered field", text, on(window, c[ImGuiCol_FrameBgHovered]));
    pair("active field", text, on(window, c[ImGuiCol_FrameBgActive]));
    pair("header", text, on(window, c[ImGuiCol_Header]));
    pair("hovered list item", text, on(popup, c[ImGuiCol_HeaderHovered]));
    pair("pressed list item", text, on(popup, c[ImGuiCol_HeaderActive]));
    pair("tab", text, on(window, c[ImGuiCol_Tab]));
    pair("hovered tab", text, on(window, c[ImGuiCol_TabHovered]));
    pair("selected tab", text, on(window, c[ImGuiCol_TabActive]));
    pair("strip: current step", theme::kStripCurrentText, on(window, theme::kStripCurrent));
    pair("strip: computed step", text, on(window, theme::kStripDone));
    pair("strip: step ahead", text, on(window, theme::kStripTodo));
    pair("strip: current training step", theme::kStripCurrentText, on(window, theme::kStripBackCurrent));
    pair("strip: training step done", text, on(window, theme::kStripBackDone));
    pair("strip: training step ahead", text, on(window, theme::kStripBackTodo));
    pair("badge: trained here", text, on(window, theme::kBadgeTrainedHere));
    pair("badge: untrained", text, on(window, theme::kBadgeUntrained));
    pair("badge: trained", text, on(window, theme::kBadgeTrained));
    pair("summary: current row", text, on(window, theme::kRowCurrent));
    pair("weights: hovered row", text, on(window, theme::kRowHovered));
    return pairs.dump();
}
