// hash_parse.h — the page's URL hash (deep links) parsed into a view state, and written back.
//
// Format: "#key=value&key=value..." (the leading '#' is optional), values percent-encoded:
//   arch=lenet5-1998     a preset name or spec name: 1..64 of [A-Za-z0-9._-]
//   data=mnist|fashion   the test set
//   input=test|draw      the input source
//   sample=123           test-set index, 0..9,999,999
//   layer=C3             a layer name (1..64 of [A-Za-z0-9._-]) or a layer index 0..255
//   unit=3,10,12         a unit of the layer: "map", "map,y,x" (each 0..65,535)
//   view=pre|post        pre- or post-activation
//   back=C3              a training step after OUTPUT: LOSS, UPDATE, or a layer's backward step
//                        (C3 = the strip's C3'); same characters as a layer name
//   lab=rotate:20,dx:3   the Lab's transform of the input: name:value parts, comma-separated, names
//                        as the transform command's (dx dy scale rotate shear thickness noise: a
//                        decimal -?D{1,6}(.D{1,9})?; seed: 0..2^64-1), and sweep:<one of the seven>.
//                        Absent parts are the identity's; lab= alone opens the Lab untransformed.
//                        Ranges (lenet::TransformLimits) are the app's to check, as layer names are.
// Engine-independent (no lenet.h) and never throws: every bad part (unknown key, bad value, bad
// percent escape, duplicate key, over-long hash) is skipped and explained in `notices`, so the page
// can show "ignored ..." and carry on with the rest. Whether an arch or layer name exists is for the
// app to check against the engine; this only guarantees the characters and ranges are sane.
#pragma once

#include <string>
#include <vector>

namespace lenet_web {

constexpr size_t kMaxHashChars = 2048;  // longer hashes are cut here (with a notice)

// lab='s transform parameters, in the order the link writes them (the names of app_lab.h's kLabParam).
constexpr int kLabKeys = 7;
inline constexpr const char* kLabKeyNames[kLabKeys] = {"dx", "dy", "scale", "rotate", "shear", "thickness", "noise"};

struct HashState {
    bool        has_arch = false, has_data = false, has_input = false, has_sample = false;
    bool        has_layer = false, has_unit = false, has_view = false, has_back = false;
    std::string arch;                 // validated characters only
    std::string data;                 // "mnist" | "fashion"
    std::string input;                // "test" | "draw"
    int         sample = 0;
    std::string layer;                // a name, or "" when layer_index is used
    int         layer_index = -1;     // >= 0 when the hash gave a number
    int         unit_map = 0, unit_y = -1, unit_x = -1;  // unit_y/x -1: the whole map / a vector unit
    bool        pre = false;          // view=pre
    std::string back;                 // "LOSS", "UPDATE" or a layer name
    bool        has_lab = false;      // lab= was given (even with no good part: the Lab opens)
    bool        lab_set[kLabKeys] = {};   // which kLabKeyNames parts lab= gave
    float       lab_value[kLabKeys] = {}; // their values (finite, |v| < 1e6; -0 made 0)
    bool        has_lab_seed = false;
    unsigned long long lab_seed = 0;
    int         lab_sweep = -1;       // sweep:<name> as an index of kLabKeyNames, -1 = not given
    std::vector<std::string> notices; // one human-readable line per ignored part
};

// Parse a location.hash ("#arch=..."; "" gives an empty state). Never throws, never allocates more
// than a small multiple of kMaxHashChars.
HashState parse_hash(const std::string& hash);

// The canonical hash for a state (only the has_* fields), starting with '#'; "" when nothing is set.
// parse_hash(format_hash(s)) gives s back (without notices) for any state parse_hash can produce.
std::string format_hash(const HashState& s);

}  // namespace lenet_web
