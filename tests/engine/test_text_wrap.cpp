// test_text_wrap.cpp — web/text_wrap.cpp: UI text breaks only at spaces, so numbers such as
// "340,908" stay whole; each line fits the width; a word wider than the line keeps a line of its own.
#include "text_wrap.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using lenet_web::wrap_at_spaces;

namespace {

// A monospace font: every character is 10 px wide.
float mono(const char* begin, const char* end, void*) { return 10.0f * float(end - begin); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("text_wrap: a line breaks at a space, never inside a number") {
    const std::string text = "running totals: 118,776 of 328,096 MACs";
    // 20 characters per line: ImGui would break after "118," here.
    const std::string wrapped = wrap_at_spaces(text, 200.0f, mono, nullptr);
    CHECK(wrapped == "running totals:\n118,776 of 328,096\nMACs");
    for (const std::string& l : lines(wrapped)) CHECK(l.size() <= 20);
}

TEST_CASE("text_wrap: text that fits is unchanged; existing breaks and indents are kept") {
    CHECK(wrap_at_spaces("1.7159 tanh(2a/3)", 1000.0f, mono, nullptr) == "1.7159 tanh(2a/3)");
    CHECK(wrap_at_spaces("", 10.0f, mono, nullptr).empty());
    CHECK(wrap_at_spaces("ab cd\n  ef gh", 50.0f, mono, nullptr) == "ab cd\n  ef\ngh");
}

TEST_CASE("text_wrap: a word wider than the line stays whole on its own line") {
    CHECK(wrap_at_spaces("a 1234567890 b", 50.0f, mono, nullptr) == "a\n1234567890\nb");
    CHECK(wrap_at_spaces("1234567890", 50.0f, mono, nullptr) == "1234567890");
}

TEST_CASE("text_wrap: the spaces at a break are dropped, each line fits") {
    CHECK(wrap_at_spaces("aaaa    bbbb", 60.0f, mono, nullptr) == "aaaa\nbbbb");
    const std::string text = "a training step: forward 328,096 + dE/din 328,096 + dE/dw 327,256 = 983,448 MACs, 3.0x";
    for (float w : {80.0f, 130.0f, 170.0f, 250.0f, 400.0f}) {
        const std::string wrapped = wrap_at_spaces(text, w, mono, nullptr);
        std::string joined;
        for (const std::string& l : lines(wrapped)) {
            CHECK(10.0f * float(l.size()) <= w);
            CHECK(l.front() != ' ');
            joined += (joined.empty() ? "" : " ") + l;
        }
        CHECK(joined == text);
    }
}
