// text_wrap.h — where a line of UI text breaks. Dear ImGui's own wrapping also breaks after ',' and
// '.', which splits numbers such as "340,908" or "1.7159" across two lines; here a line breaks only
// at a space (or a '\n' already in the text). Used by the panels' wrapped text (panels/wrapped.h).
#pragma once

#include <string>

namespace lenet_web {

// Width of text[begin, end) in pixels (the UI passes its font's measure).
using MeasureText = float (*)(const char* begin, const char* end, void* user);

// text with the spaces where a line must break, so that each line fits `width`, turned into '\n'.
// A word wider than `width` stays whole on its own line. Runs of spaces and existing '\n' are kept.
std::string wrap_at_spaces(const std::string& text, float width, MeasureText measure, void* user);

}  // namespace lenet_web
