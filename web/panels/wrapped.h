// wrapped.h — the panels' wrapped text: as ImGui::TextWrapped (wrapping at the current text wrap
// position, or at the end of the content region when none is set), but lines break only at spaces
// (text_wrap.h), so a number such as "340,908" or "1.7159" is never split across lines.
#pragma once

#include <imgui.h>

void text_wrapped(const char* fmt, ...) IM_FMTARGS(1);
void text_wrapped_colored(const ImVec4& color, const char* fmt, ...) IM_FMTARGS(2);
void text_wrapped_disabled(const char* fmt, ...) IM_FMTARGS(1);
