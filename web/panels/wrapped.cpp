// wrapped.cpp — see wrapped.h.
#include "wrapped.h"

#include "text_wrap.h"

#include <imgui_internal.h>

#include <cstdarg>
#include <cstdio>
#include <string>

namespace {

float measure(const char* begin, const char* end, void*) { return ImGui::CalcTextSize(begin, end).x; }

void emit(const ImVec4* color, const char* fmt, va_list args) IM_FMTLIST(2);

void emit(const ImVec4* color, const char* fmt, va_list args) {
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    if (window->SkipItems) return;
    va_list copy;
    va_copy(copy, args);
    const int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return;
    std::string raw(size_t(n) + 1, '\0');
    std::vsnprintf(&raw[0], raw.size(), fmt, args);
    raw.resize(size_t(n));
    // As TextWrapped: the current wrap position, or the content region's end when none is set.
    const float wrap_pos = window->DC.TextWrapPos < 0.0f ? 0.0f : window->DC.TextWrapPos;
    const float width = ImGui::CalcWrapWidthForPos(window->DC.CursorPos, wrap_pos);
    const std::string text = lenet_web::wrap_at_spaces(raw, width, measure, nullptr);
    // ImGui still wraps, but only a single word wider than the whole line is left for it to break.
    ImGui::PushTextWrapPos(wrap_pos);
    if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
    ImGui::TextUnformatted(text.c_str(), text.c_str() + text.size());
    if (color) ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
}

}  // namespace

void text_wrapped(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    emit(nullptr, fmt, args);
    va_end(args);
}

void text_wrapped_colored(const ImVec4& color, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    emit(&color, fmt, args);
    va_end(args);
}

void text_wrapped_disabled(const char* fmt, ...) {
    const ImVec4 color = ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
    va_list args;
    va_start(args, fmt);
    emit(&color, fmt, args);
    va_end(args);
}
