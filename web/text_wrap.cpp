// text_wrap.cpp — see text_wrap.h. Greedy: each word goes on the current line if it fits, else it
// starts the next one at the last space before it.
#include "text_wrap.h"

namespace lenet_web {

std::string wrap_at_spaces(const std::string& text, float width, MeasureText measure, void* user) {
    std::string out = text;
    const char* s = out.c_str();
    size_t line = 0;  // where the current line starts
    size_t i = 0;
    while (i < out.size()) {
        if (out[i] == '\n') { line = ++i; continue; }
        if (out[i] == ' ') { ++i; continue; }
        size_t end = i;  // the word [i, end)
        while (end < out.size() && out[end] != ' ' && out[end] != '\n') ++end;
        // The word does not fit after the line's text: break at the space before it, unless it
        // is the line's first word (then it stays, however wide).
        if (i > line && measure(s + line, s + end, user) > width) {
            size_t sp = i;
            while (sp > line && out[sp - 1] == ' ') --sp;
            if (sp > line) {
                out[sp] = '\n';
                line = sp + 1;
                // The spaces between the break and the word would start the next line: drop them.
                out.erase(line, i - line);
                s = out.c_str();
                end -= i - line;
                i = line;
            }
        }
        i = end;
    }
    return out;
}

}  // namespace lenet_web
