// printable.h — untrusted text (a command's argument, a URL-hash part) made safe to echo in a
// message: printable ASCII stays, every other byte (control characters such as NUL, and bytes of
// multi-byte UTF-8) becomes \xNN, and more than 40 bytes are cut with "...". The result never cuts a
// C string short, never breaks a JSON encoder's UTF-8 check, and shows a user what they sent.
#pragma once

#include <string>

namespace lenet_web {

std::string printable(const std::string& text);

// True when text has a byte that printable() escapes as a control character (below 0x20, or 0x7f).
bool has_control_chars(const std::string& text);

}  // namespace lenet_web
