// fuzz_hash.cpp — the web app's URL-hash parser (web/hash_parse.cpp). It must never throw, bound its
// notices, and canonicalise: parse(format(parse(x))) equals parse(x) without notices.
#include "hash_parse.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>

#define CHECK_OR_ABORT(c) do { if (!(c)) { std::fprintf(stderr, "check failed: %s\n", #c); std::abort(); } } while (0)

namespace {
// lab=: the same parts with bit-equal values (format_hash writes each value so it reads back exactly).
bool same_lab(const lenet_web::HashState& a, const lenet_web::HashState& b) {
    if (a.has_lab != b.has_lab || a.has_lab_seed != b.has_lab_seed || a.lab_sweep != b.lab_sweep) return false;
    if (a.has_lab_seed && a.lab_seed != b.lab_seed) return false;
    for (int k = 0; k < lenet_web::kLabKeys; ++k) {
        if (a.lab_set[k] != b.lab_set[k]) return false;
        if (a.lab_set[k] && (!std::isfinite(a.lab_value[k]) || std::memcmp(&a.lab_value[k], &b.lab_value[k], sizeof(float)) != 0))
            return false;
    }
    return true;
}

bool same(const lenet_web::HashState& a, const lenet_web::HashState& b) {
    return a.has_arch == b.has_arch && a.arch == b.arch && a.has_data == b.has_data && a.data == b.data &&
           a.has_input == b.has_input && a.input == b.input && a.has_sample == b.has_sample &&
           (!a.has_sample || a.sample == b.sample) && a.has_layer == b.has_layer && a.layer == b.layer &&
           a.layer_index == b.layer_index && a.has_unit == b.has_unit &&
           (!a.has_unit || (a.unit_map == b.unit_map && a.unit_y == b.unit_y && a.unit_x == b.unit_x)) &&
           a.has_view == b.has_view && a.pre == b.pre && a.has_back == b.has_back && a.back == b.back &&
           same_lab(a, b);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string h(reinterpret_cast<const char*>(data), size);
    lenet_web::HashState s = lenet_web::parse_hash(h);  // noexcept in practice: any throw is a finding
    CHECK_OR_ABORT(s.notices.size() <= 17);
    for (const std::string& n : s.notices) CHECK_OR_ABORT(n.size() < 400);
    const std::string f = lenet_web::format_hash(s);
    CHECK_OR_ABORT(f.size() <= lenet_web::kMaxHashChars);
    lenet_web::HashState t = lenet_web::parse_hash(f);
    CHECK_OR_ABORT(t.notices.empty());
    CHECK_OR_ABORT(same(s, t));
    CHECK_OR_ABORT(lenet_web::format_hash(t) == f);
    return 0;
}
