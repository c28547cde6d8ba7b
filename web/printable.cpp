// printable.cpp — see printable.h.
#include "printable.h"

namespace lenet_web {

namespace {
constexpr size_t kMaxShown = 40;
}

std::string printable(const std::string& text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < text.size() && i < kMaxShown; i++) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += char(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (text.size() > kMaxShown) out += "...";
    return out;
}

bool has_control_chars(const std::string& text) {
    for (char ch : text) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

}  // namespace lenet_web
