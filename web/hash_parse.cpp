// hash_parse.cpp — URL hash <-> view state; see hash_parse.h. Fuzzed by tests/fuzz/fuzz_hash.cpp.
#include "hash_parse.h"
#include "printable.h"

#include <cstdint>

namespace lenet_web {

namespace {

constexpr size_t kMaxNameChars = 64;
constexpr size_t kMaxNotices = 16;

bool name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding ('+' stays '+': hashes are not form-encoded). False on a bad escape.
bool percent_decode(const std::string& in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); i++) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return false;  // needs two hex digits
        int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out += char(hi * 16 + lo);
        i += 2;
    }
    return true;
}

// A decimal integer in [lo, hi], digits only (no sign, no spaces, at most 9 digits).
bool parse_int(const std::string& s, int lo, int hi, int& v) {
    if (s.empty() || s.size() > 9) return false;
    int64_t acc = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        acc = acc * 10 + (c - '0');
    }
    if (acc < lo || acc > hi) return false;
    v = int(acc);
    return true;
}

bool valid_name(const std::string& s) {
    if (s.empty() || s.size() > kMaxNameChars) return false;
    for (char c : s)
        if (!name_char(c)) return false;
    return true;
}

void note(HashState& st, const std::string& msg) {
    if (st.notices.size() < kMaxNotices) st.notices.push_back(msg);
    else if (st.notices.size() == kMaxNotices) st.notices.push_back("(more problems in the link not shown)");
}

}  // namespace

HashState parse_hash(const std::string& hash_in) {
    HashState st;
    std::string hash = hash_in;
    if (hash.size() > kMaxHashChars) {
        hash.resize(kMaxHashChars);
        note(st, "the link's #... part is longer than " + std::to_string(kMaxHashChars) +
                     " characters; the rest was ignored");
    }
    size_t pos = (!hash.empty() && hash[0] == '#') ? 1 : 0;
    std::vector<std::string> seen;
    while (pos <= hash.size()) {
        size_t amp = hash.find('&', pos);
        if (amp == std::string::npos) amp = hash.size();
        const std::string part = hash.substr(pos, amp - pos);
        pos = amp + 1;
        if (part.empty()) continue;
        const size_t eq = part.find('=');
        std::string key, value;
        if (eq == std::string::npos || !percent_decode(part.substr(0, eq), key) ||
            !percent_decode(part.substr(eq + 1), value)) {
            note(st, "ignored '" + printable(part) + "' (expected key=value with valid %XX escapes)");
            continue;
        }
        bool dup = false;
        for (const std::string& k : seen) dup = dup || k == key;
        if (dup) {
            note(st, "ignored a second '" + printable(key) + "' (the first one is used)");
            continue;
        }
        if (seen.size() < 32) seen.push_back(key);
        auto bad = [&](const char* want) { note(st, "ignored " + printable(key) + "='" + printable(value) + "' (" + want + ")"); };
        if (key == "arch") {
            if (valid_name(value)) { st.arch = value; st.has_arch = true; }
            else bad("expected a preset name such as lenet5-1998");
        } else if (key == "data") {
            if (value == "mnist" || value == "fashion") { st.data = value; st.has_data = true; }
            else bad("expected mnist or fashion");
        } else if (key == "input") {
            if (value == "test" || value == "draw") { st.input = value; st.has_input = true; }
            else bad("expected test or draw");
        } else if (key == "sample") {
            if (parse_int(value, 0, 9999999, st.sample)) st.has_sample = true;
            else bad("expected a test-set index 0..9999999");
        } else if (key == "layer") {
            int idx = 0;
            if (!value.empty() && value[0] >= '0' && value[0] <= '9' && parse_int(value, 0, 255, idx)) {
                st.layer.clear();
                st.layer_index = idx;
                st.has_layer = true;
            } else if (valid_name(value) && !(value[0] >= '0' && value[0] <= '9')) {
                st.layer = value;
                st.layer_index = -1;
                st.has_layer = true;
            } else {
                bad("expected a layer name such as C3 or an index 0..255");
            }
        } else if (key == "unit") {
            int v[3] = {0, -1, -1};
            size_t n = 0, start = 0;
            bool ok = true;
            while (ok) {
                size_t comma = value.find(',', start);
                std::string field = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                if (n >= 3 || !parse_int(field, 0, 65535, v[n])) ok = false;
                n++;
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            if (ok && (n == 1 || n == 3)) {
                st.unit_map = v[0];
                st.unit_y = n == 3 ? v[1] : -1;
                st.unit_x = n == 3 ? v[2] : -1;
                st.has_unit = true;
            } else {
                bad("expected map or map,y,x with numbers 0..65535");
            }
        } else if (key == "back") {
            if (valid_name(value)) { st.back = value; st.has_back = true; }
            else bad("expected LOSS, UPDATE or a layer name such as C3");
        } else if (key == "view") {
            if (value == "pre" || value == "post") { st.pre = value == "pre"; st.has_view = true; }
            else bad("expected pre or post");
        } else {
            note(st, "ignored unknown setting '" + printable(key) + "'");
        }
    }
    return st;
}

std::string format_hash(const HashState& s) {
    std::string out;
    auto add = [&](const char* key, const std::string& value) {
        out += out.empty() ? "#" : "&";
        out += key;
        out += '=';
        out += value;  // every value we emit is made of name characters, digits and commas
    };
    if (s.has_arch && valid_name(s.arch)) add("arch", s.arch);
    if (s.has_data) add("data", s.data == "fashion" ? "fashion" : "mnist");
    if (s.has_input) add("input", s.input == "draw" ? "draw" : "test");
    if (s.has_sample && s.sample >= 0) add("sample", std::to_string(s.sample));
    if (s.has_layer) {
        if (s.layer_index >= 0) add("layer", std::to_string(s.layer_index));
        else if (valid_name(s.layer)) add("layer", s.layer);
    }
    if (s.has_unit && s.unit_map >= 0) {
        std::string u = std::to_string(s.unit_map);
        if (s.unit_y >= 0 && s.unit_x >= 0) u += "," + std::to_string(s.unit_y) + "," + std::to_string(s.unit_x);
        add("unit", u);
    }
    if (s.has_view) add("view", s.pre ? "pre" : "post");
    if (s.has_back && valid_name(s.back)) add("back", s.back);
    return out;
}

}  // namespace lenet_web
