// hash_parse.cpp — URL hash <-> view state; see hash_parse.h. Fuzzed by tests/fuzz/fuzz_hash.cpp.
#include "hash_parse.h"
#include "printable.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

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

// A decimal -?D{1,6}(.D{1,9})? (no exponent, no NaN or infinity), rounded to float; -0 becomes 0.
// Locale-independent: the digits are added up exactly in a double (< 2^53), then divided once.
bool parse_decimal(const std::string& s, float& v) {
    size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
    double whole = 0, frac = 0, scale = 1;
    int int_digits = 0, frac_digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++int_digits) whole = whole * 10 + (s[i] - '0');
    if (int_digits == 0 || int_digits > 6) return false;
    if (i < s.size()) {
        if (s[i++] != '.') return false;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
            frac = frac * 10 + (s[i] - '0');
            scale *= 10;
        }
        if (frac_digits == 0 || frac_digits > 9 || i != s.size()) return false;
    }
    const double d = (whole * scale + frac) / scale;
    v = float(s[0] == '-' ? -d : d) + 0.0f;
    return true;
}

// The shortest "%.Nf" (N = 0..9) that parse_decimal reads back as v; false for |v| >= 1e6 or NaN. A
// value that no such text gives exactly (below 1e-9) is written as the nearest one that does.
bool format_decimal(float v, std::string& out) {
    char buf[32];
    for (int pass = 0; pass < 2; ++pass) {
        if (!(std::fabs(v) < 1e6f)) return false;
        for (int p = 0; p <= 9; ++p) {
            float back = 0;
            std::snprintf(buf, sizeof buf, "%.*f", p, double(v));
            if (parse_decimal(buf, back) && back == v) {
                out = buf;
                return true;
            }
        }
        if (!parse_decimal(buf, v)) return false;  // %.9f's value: written exactly on the second pass
    }
    return false;
}

// lab=name:value,...: each part checked on its own; a bad one is skipped with a notice.
void parse_lab(HashState& st, const std::string& value) {
    st.has_lab = true;
    bool seen[kLabKeys + 2] = {};  // the transform's parameters, seed, sweep
    for (size_t start = 0; start <= value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        const std::string part = value.substr(start, comma - start);
        start = comma + 1;
        if (part.empty()) continue;
        const size_t colon = part.find(':');
        const std::string name = part.substr(0, colon), v = colon == std::string::npos ? "" : part.substr(colon + 1);
        int k = 0;
        while (k < kLabKeys && name != kLabKeyNames[k]) ++k;
        if (k == kLabKeys && name != "seed") k = name == "sweep" ? kLabKeys + 1 : -1;
        auto bad = [&](const char* want) { note(st, "ignored '" + printable(part) + "' in lab= (" + want + ")"); };
        if (k < 0) {
            bad("unknown name: dx, dy, scale, rotate, shear, thickness, noise, seed or sweep");
        } else if (colon == std::string::npos) {
            bad("expected name:value, such as rotate:20");
        } else if (seen[k]) {
            note(st, "ignored a second '" + name + "' in lab= (the first one is used)");
        } else if (k < kLabKeys) {
            seen[k] = true;
            if (parse_decimal(v, st.lab_value[k])) st.lab_set[k] = true;
            else bad("expected a number such as 20 or -1.5");
        } else if (k == kLabKeys) {
            seen[k] = true;
            unsigned long long acc = 0;
            bool ok = !v.empty() && v.size() <= 20;
            for (char c : v) {
                ok = ok && c >= '0' && c <= '9' && acc <= (~0ull - unsigned(c - '0')) / 10;
                if (ok) acc = acc * 10 + unsigned(c - '0');
            }
            if (ok) { st.lab_seed = acc; st.has_lab_seed = true; }
            else bad("expected a seed 0..18446744073709551615");
        } else {
            seen[k] = true;
            int j = 0;
            while (j < kLabKeys && v != kLabKeyNames[j]) ++j;
            if (j < kLabKeys) st.lab_sweep = j;
            else bad("expected sweep:dx, dy, scale, rotate, shear, thickness or noise");
        }
    }
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
        } else if (key == "lab") {
            parse_lab(st, value);
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
        out += value;  // every value we emit is made of name characters, digits, ':' and ','
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
    if (s.has_lab) {
        std::string lab, v;
        auto part = [&](const char* name, const std::string& value) {
            lab += (lab.empty() ? "" : ",") + std::string(name) + ":" + value;
        };
        for (int k = 0; k < kLabKeys; ++k)
            if (s.lab_set[k] && format_decimal(s.lab_value[k], v)) part(kLabKeyNames[k], v);
        if (s.has_lab_seed) part("seed", std::to_string(s.lab_seed));
        if (s.lab_sweep >= 0 && s.lab_sweep < kLabKeys) part("sweep", kLabKeyNames[s.lab_sweep]);
        add("lab", lab);
    }
    return out;
}

}  // namespace lenet_web
