// arch.cpp — architecture specs: the built-in presets, the paper's fixed data (Table I and the RBF
// digit bitmaps), validation of any spec, and the JSON format of docs/architecture-spec.md.
//
// Validation is complete here (every shape is inferred), so a Network built from a valid spec never
// fails later; errors name the file and the layer ("C3.json: layer 3 'C3': ...").
#include "lenet/lenet.h"
#include "io_util.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

namespace lenet {

using json = nlohmann::json;

// ================================================================================================
// The paper's fixed data
// ================================================================================================

// Which S2 maps (rows) feed each C3 map (columns). [LeCun 1998, Section II.B, Table I]
// clang-format off
static const char* const kTable1Art[6] = {
    //   0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
    /*S0*/ "X . . . X X X . . X X  X  X  .  X  X",
    /*S1*/ "X X . . . X X X . . X  X  X  X  .  X",
    /*S2*/ "X X X . . . X X X . .  X  .  X  X  X",
    /*S3*/ ". X X X . . X X X X .  .  X  .  X  X",
    /*S4*/ ". . X X X . . X X X X  .  X  X  .  X",
    /*S5*/ ". . . X X X . . X X X  X  .  X  X  X",
};
// clang-format on

const std::vector<uint8_t>& lenet5_table1() {
    static const std::vector<uint8_t> table = [] {
        std::vector<uint8_t> t;
        t.reserve(6 * 16);
        for (const char* row : kTable1Art)
            for (const char* c = row; *c; ++c)
                if (*c == 'X' || *c == '.') t.push_back(*c == 'X' ? 1 : 0);
        return t;  // [6][16] row-major
    }();
    return table;
}

// The output layer's fixed RBF prototypes: "stylized image of the corresponding character class
// drawn on a 7x12 bitmap", values +1 ('#') and -1 ('.'). [LeCun 1998, Section II.B, Fig. 3]
// The paper's figure is not available as data, so these bitmaps are our own drawing in its spirit:
// 7 wide x 12 high, the glyph in rows 1..10. Row-major per digit: index = row * 7 + col.
// clang-format off
static const char* const kDigitArt[10][12] = {
    { ".......", "..###..", ".#...#.", "#.....#", "#.....#", "#.....#",      // 0
      "#.....#", "#.....#", "#.....#", ".#...#.", "..###..", "......." },
    { ".......", "...#...", "..##...", ".#.#...", "...#...", "...#...",      // 1
      "...#...", "...#...", "...#...", "...#...", ".#####.", "......." },
    { ".......", "..###..", ".#...#.", "#.....#", "......#", ".....#.",      // 2
      "....#..", "...#...", "..#....", ".#.....", "#######", "......." },
    { ".......", ".####..", "#....#.", "......#", ".....#.", "..###..",      // 3
      ".....#.", "......#", "......#", "#....#.", ".####..", "......." },
    { ".......", "....##.", "...#.#.", "..#..#.", ".#...#.", "#....#.",      // 4
      "#######", ".....#.", ".....#.", ".....#.", ".....#.", "......." },
    { ".......", "#######", "#......", "#......", "#####..", ".....#.",      // 5
      "......#", "......#", "......#", "#....#.", ".####..", "......." },
    { ".......", "..###..", ".#.....", "#......", "#......", "#.###..",      // 6
      "##...#.", "#.....#", "#.....#", ".#...#.", "..###..", "......." },
    { ".......", "#######", "......#", ".....#.", ".....#.", "....#..",      // 7
      "....#..", "...#...", "...#...", "..#....", "..#....", "......." },
    { ".......", "..###..", ".#...#.", "#.....#", ".#...#.", "..###..",      // 8
      ".#...#.", "#.....#", "#.....#", ".#...#.", "..###..", "......." },
    { ".......", "..###..", ".#...#.", "#.....#", "#.....#", ".#...##",      // 9
      "..###.#", "......#", "......#", ".....#.", "..###..", "......." },
};
// clang-format on

const std::vector<float>& digit_prototypes_7x12() {
    static const std::vector<float> protos = [] {
        std::vector<float> p;
        p.reserve(10 * 84);
        for (const auto& digit : kDigitArt)
            for (const char* row : digit)
                for (int x = 0; x < 7; ++x) p.push_back(row[x] == '#' ? 1.0f : -1.0f);
        return p;  // (10, 84)
    }();
    return protos;
}

// ================================================================================================
// Presets
// ================================================================================================
static LayerSpec conv(const char* name, int maps, int k, Activation a) {
    LayerSpec L;
    L.name = name; L.type = LayerType::Conv; L.units = maps; L.kernel = k; L.stride = 1;
    L.activation = a;
    return L;
}
static LayerSpec pool(const char* name, PoolMode m, int k, Activation a) {
    LayerSpec L;
    L.name = name; L.type = LayerType::Pool; L.pool = m; L.kernel = k; L.stride = k;
    L.activation = a;
    return L;
}
static LayerSpec full(const char* name, int units, Activation a) {
    LayerSpec L;
    L.name = name; L.type = LayerType::Full; L.units = units; L.activation = a;
    return L;
}

std::vector<std::string> arch_preset_names() { return {"lenet5-1998", "lenet5", "lenet5-relu"}; }

ArchSpec arch_preset(const std::string& name) {
    ArchSpec s;
    s.name = name;
    s.input = {1, 32, 32};
    if (name == "lenet5-1998") {
        // [LeCun 1998, Section II.B]: every unit up to F6 squashes with 1.7159 tanh(2a/3).
        const Activation f = Activation::ScaledTanh;
        s.description = "LeNet-5 as published in 1998: trainable subsampling, C3 wired by Table I, "
                        "scaled tanh, Euclidean RBF output with fixed 7x12 digit bitmaps";
        s.norm = InputNorm::Paper;
        s.init = InitKind::Lecun98;
        s.loss = LossKind::Mse;
        s.layers.push_back(conv("C1", 6, 5, f));                        // C1, 1@32x32 in, 6@28x28 out
        s.layers.push_back(pool("S2", PoolMode::Subsample, 2, f));      // S2, 6@28x28 in, 6@14x14 out
        LayerSpec c3 = conv("C3", 16, 5, f);                            // C3, 6@14x14 in, 16@10x10 out
        c3.table = lenet5_table1();
        c3.table_name = "lenet5-table1";
        s.layers.push_back(c3);
        s.layers.push_back(pool("S4", PoolMode::Subsample, 2, f));      // S4, 16@10x10 in, 16@5x5 out
        s.layers.push_back(conv("C5", 120, 5, f));                      // C5, 16@5x5 in, 120 out
        s.layers.push_back(full("F6", 84, f));                          // F6, 120 in, 84 out
        LayerSpec out;                                                  // OUTPUT, 84 in, 10 out
        out.name = "OUTPUT"; out.type = LayerType::Rbf; out.units = 10;
        out.prototypes = "digits-7x12";
        s.layers.push_back(out);
        return s;
    }
    if (name == "lenet5" || name == "lenet5-relu") {
        const bool relu = name == "lenet5-relu";
        const Activation f = relu ? Activation::Relu : Activation::Tanh;
        const PoolMode   p = relu ? PoolMode::Max : PoolMode::Avg;
        s.description = relu ? "Modern LeNet-5 with ReLU and max pooling, full C3, linear 84->10 "
                               "output with softmax cross-entropy"
                             : "Modern textbook LeNet-5: full C3, average pooling without "
                               "parameters, tanh, linear 84->10 output with softmax cross-entropy";
        s.norm = InputNorm::Unit;
        s.init = InitKind::Pytorch;
        s.loss = LossKind::Xent;
        s.layers.push_back(conv("C1", 6, 5, f));
        s.layers.push_back(pool("S2", p, 2, Activation::None));
        s.layers.push_back(conv("C3", 16, 5, f));
        s.layers.push_back(pool("S4", p, 2, Activation::None));
        s.layers.push_back(conv("C5", 120, 5, f));
        s.layers.push_back(full("F6", 84, f));
        s.layers.push_back(full("OUTPUT", 10, Activation::None));
        return s;
    }
    std::string names;
    for (const std::string& n : arch_preset_names()) names += (names.empty() ? "" : ", ") + n;
    throw Error(ErrorKind::Spec, "arch", "unknown architecture preset '" + name + "' (presets: " +
                                             names + "; or give a .json spec file)");
}

// ================================================================================================
// Validation
// ================================================================================================
namespace {
constexpr int     kMaxDim = 4096;           // any of C, H, W, units
constexpr int     kMaxKernel = 64;
constexpr int     kMaxLayers = 256;
constexpr int64_t kMaxParams = 64 << 20;    // floats: 256 MB
constexpr int64_t kMaxActivations = 64 << 20;

std::string layer_where(size_t i, const std::string& name) {
    return "layer " + std::to_string(i + 1) + (name.empty() ? "" : " '" + name + "'");
}
}  // namespace

void arch_validate(const ArchSpec& spec, const std::string& where) {
    auto fail = [&](const std::string& msg) { throw Error(ErrorKind::Spec, where, msg); };
    if (spec.name.empty()) fail("the architecture has no name");
    const Shape in = spec.input;
    if (in.c < 1 || in.h < 1 || in.w < 1 || in.c > kMaxDim || in.h > kMaxDim || in.w > kMaxDim)
        fail("input shape [" + std::to_string(in.c) + ", " + std::to_string(in.h) + ", " +
             std::to_string(in.w) + "] is out of range (each of C, H, W must be 1.." +
             std::to_string(kMaxDim) + ")");
    if (in.size() > kMaxActivations) fail("input " + shape_str(in) + " is too large");
    if (spec.layers.empty()) fail("the architecture has no layers");
    if (int(spec.layers.size()) > kMaxLayers)
        fail("too many layers (" + std::to_string(spec.layers.size()) + ", at most " +
             std::to_string(kMaxLayers) + ")");
    if (!(spec.map_j > 0.0f) || !std::isfinite(spec.map_j))
        fail("map_j must be a positive finite number");

    std::set<std::string> names;
    Shape   cur = in;
    int64_t params = 0, acts = in.size();
    for (size_t i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec& L = spec.layers[i];
        const std::string at = layer_where(i, L.name);
        auto lfail = [&](const std::string& msg) { fail(at + ": " + msg); };
        if (L.name.empty()) lfail("has no name");
        if (L.name.size() > 64) lfail("name is longer than 64 characters");
        for (char ch : L.name)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'))
                lfail("name may only use letters, digits, '_' and '-' (it becomes a weights-file key)");
        if (!names.insert(L.name).second) lfail("duplicate layer name '" + L.name + "'");

        Shape out;
        int64_t layer_params = 0;
        switch (L.type) {
            case LayerType::Conv: {
                if (L.units < 1 || L.units > kMaxDim)
                    lfail("conv maps must be 1.." + std::to_string(kMaxDim) + ", got " + std::to_string(L.units));
                if (L.kernel < 1 || L.kernel > kMaxKernel)
                    lfail("conv kernel must be 1.." + std::to_string(kMaxKernel) + ", got " + std::to_string(L.kernel));
                if (L.stride < 1 || L.stride > kMaxKernel)
                    lfail("conv stride must be 1.." + std::to_string(kMaxKernel) + ", got " + std::to_string(L.stride));
                if (L.padding < 0 || L.padding >= L.kernel)
                    lfail("conv padding must be 0.." + std::to_string(L.kernel - 1) + " for kernel " +
                          std::to_string(L.kernel) + ", got " + std::to_string(L.padding));
                if (cur.h + 2 * L.padding < L.kernel || cur.w + 2 * L.padding < L.kernel)
                    lfail("conv kernel " + std::to_string(L.kernel) + " (padding " + std::to_string(L.padding) +
                          ") does not fit its input " + shape_str(cur));
                out.c = L.units;
                out.h = (cur.h + 2 * L.padding - L.kernel) / L.stride + 1;
                out.w = (cur.w + 2 * L.padding - L.kernel) / L.stride + 1;
                int64_t connected = int64_t(cur.c) * L.units;
                if (!L.table.empty()) {
                    if (L.table.size() != size_t(cur.c) * size_t(L.units))
                        lfail("connection table is " + std::to_string(L.table.size()) + " entries but the layer has " +
                              std::to_string(cur.c) + " input maps x " + std::to_string(L.units) + " output maps");
                    connected = 0;
                    for (int o = 0; o < L.units; ++o) {
                        int n = 0;
                        for (int c = 0; c < cur.c; ++c) {
                            uint8_t v = L.table[size_t(c) * L.units + o];
                            if (v > 1) lfail("connection table entries must be 0 or 1");
                            n += v;
                        }
                        if (n == 0) lfail("output map " + std::to_string(o) + " has no input (its table column is all 0)");
                        connected += n;
                    }
                    if (L.table_name == "lenet5-table1" && L.table != lenet5_table1())
                        lfail("table is named lenet5-table1 but differs from the paper's Table I");
                }
                if (L.table_name == "lenet5-table1" && (cur.c != 6 || L.units != 16))
                    lfail("table lenet5-table1 needs 6 input maps and 16 output maps, got " +
                          std::to_string(cur.c) + " and " + std::to_string(L.units));
                layer_params = int64_t(cur.c) * L.units * L.kernel * L.kernel + L.units;
                (void)connected;
                break;
            }
            case LayerType::Pool: {
                if (L.kernel < 1 || L.kernel > kMaxKernel)
                    lfail("pool size must be 1.." + std::to_string(kMaxKernel) + ", got " + std::to_string(L.kernel));
                if (L.stride < 1 || L.stride > kMaxKernel)
                    lfail("pool stride must be 1.." + std::to_string(kMaxKernel) + ", got " + std::to_string(L.stride));
                if (cur.h < L.kernel || cur.w < L.kernel)
                    lfail("pool size " + std::to_string(L.kernel) + " does not fit its input " + shape_str(cur));
                if (L.pool != PoolMode::Avg && L.pool != PoolMode::Max && L.pool != PoolMode::Subsample)
                    lfail("unknown pool mode");
                out.c = cur.c;
                out.h = (cur.h - L.kernel) / L.stride + 1;
                out.w = (cur.w - L.kernel) / L.stride + 1;
                layer_params = L.pool == PoolMode::Subsample ? 2 * int64_t(cur.c) : 0;
                break;
            }
            case LayerType::Full: {
                if (L.units < 1 || L.units > 65536)
                    lfail("full units must be 1..65536, got " + std::to_string(L.units));
                out = {L.units, 1, 1};
                layer_params = cur.size() * L.units + L.units;
                break;
            }
            case LayerType::Rbf: {
                if (L.prototypes != "digits-7x12")
                    lfail(L.prototypes.empty() ? std::string("rbf needs \"prototypes\": \"digits-7x12\"")
                                               : "unknown rbf prototypes '" + L.prototypes + "' (known: digits-7x12)");
                if (L.units != 10) lfail("rbf with digits-7x12 prototypes needs 10 units, got " + std::to_string(L.units));
                if (cur.size() != 84)
                    lfail("rbf with digits-7x12 prototypes needs an input of 84 values (7x12 bitmaps), got " +
                          shape_str(cur));
                if (L.activation != Activation::None) lfail("rbf layers take no activation (use \"none\")");
                if (i + 1 != spec.layers.size()) lfail("rbf is an output layer: it must be the last layer");
                out = {L.units, 1, 1};
                break;
            }
            default: lfail("unknown layer type");
        }
        switch (L.activation) {
            case Activation::None: case Activation::ScaledTanh: case Activation::Tanh:
            case Activation::Sigmoid: case Activation::Relu: break;
            default: lfail("unknown activation");
        }
        params += layer_params;
        acts += out.size();
        if (params > kMaxParams) lfail("the network would have more than " + std::to_string(kMaxParams) + " parameters");
        if (acts > kMaxActivations) lfail("the network's activations would exceed " + std::to_string(kMaxActivations) + " values");
        cur = out;
    }
    if (cur.size() < 2) fail("the last layer must have at least 2 outputs (one per class), got " + shape_str(cur));
    switch (spec.loss) {
        case LossKind::Mse: case LossKind::Map: case LossKind::Xent: break;
        default: fail("unknown loss");
    }
}

// ================================================================================================
// JSON
// ================================================================================================
namespace {

struct Parser {
    std::string where;
    [[noreturn]] void fail(const std::string& msg) const { throw Error(ErrorKind::Spec, where, msg); }

    void check_keys(const json& obj, std::initializer_list<const char*> allowed, const std::string& ctx) const {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            bool ok = false;
            for (const char* a : allowed) ok = ok || it.key() == a;
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                fail(ctx + "unknown key '" + it.key() + "' (allowed: " + list + ")");
            }
        }
    }
    std::string get_string(const json& obj, const char* key, const std::string& ctx, bool required,
                           const std::string& def = "") const {
        auto it = obj.find(key);
        if (it == obj.end()) {
            if (required) fail(ctx + "missing \"" + key + "\"");
            return def;
        }
        if (!it->is_string()) fail(ctx + "\"" + key + "\" must be a string");
        return it->get<std::string>();
    }
    int get_int(const json& obj, const char* key, const std::string& ctx, bool required, int def) const {
        auto it = obj.find(key);
        if (it == obj.end()) {
            if (required) fail(ctx + "missing \"" + key + "\"");
            return def;
        }
        if (!it->is_number_integer()) fail(ctx + "\"" + key + "\" must be an integer");
        const int64_t v = it->get<int64_t>();
        if (v < -1000000 || v > 1000000) fail(ctx + "\"" + key + "\" = " + std::to_string(v) + " is out of range");
        return int(v);
    }
};

Activation parse_activation(const Parser& P, const std::string& s, const std::string& ctx) {
    if (s == "scaled_tanh") return Activation::ScaledTanh;
    if (s == "tanh") return Activation::Tanh;
    if (s == "sigmoid") return Activation::Sigmoid;
    if (s == "relu") return Activation::Relu;
    if (s == "none") return Activation::None;
    P.fail(ctx + "unknown activation '" + s + "' (known: scaled_tanh, tanh, sigmoid, relu, none)");
}

}  // namespace

ArchSpec arch_from_json(const std::string& json_text, const std::string& where) {
    Parser P{where};
    json doc;
    try {
        // nlohmann keeps the last of duplicate keys silently; in a spec two "kernel"s are a mistake.
        std::vector<std::set<std::string>> keys;  // one set per open object
        json::parser_callback_t cb = [&](int, json::parse_event_t ev, json& parsed) {
            if (ev == json::parse_event_t::object_start) keys.emplace_back();
            else if (ev == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
            else if (ev == json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
                P.fail("duplicate key \"" + parsed.get<std::string>() + "\" in an object");
            return true;
        };
        doc = json::parse(json_text, cb);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (406: "3e333")
        std::string msg = e.what();
        const size_t pos = msg.find("] ");  // drop nlohmann's "[json.exception.parse_error.101] "
        if (pos != std::string::npos) msg = msg.substr(pos + 2);
        // nlohmann quotes the bytes it read: keep the message valid UTF-8 (it may be shown as JSON).
        for (char& c : msg)
            if (static_cast<unsigned char>(c) >= 0x80) c = '?';
        P.fail("invalid JSON: " + msg);
    }
    if (!doc.is_object()) P.fail("the spec must be a JSON object {\"name\", \"input\", \"layers\", \"loss\"}");
    P.check_keys(doc, {"name", "description", "input", "input_norm", "init", "layers", "loss", "map_j"}, "");

    ArchSpec s;
    s.name = P.get_string(doc, "name", "", true);
    s.description = P.get_string(doc, "description", "", false);

    auto in = doc.find("input");
    if (in == doc.end()) P.fail("missing \"input\" ([C, H, W], e.g. [1, 32, 32])");
    if (!in->is_array() || in->size() != 3) P.fail("\"input\" must be [C, H, W], e.g. [1, 32, 32]");
    for (const json& v : *in)
        if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > kMaxDim)
            P.fail("\"input\" values must be integers 1.." + std::to_string(kMaxDim));
    s.input = {(*in)[0].get<int>(), (*in)[1].get<int>(), (*in)[2].get<int>()};

    const std::string norm = P.get_string(doc, "input_norm", "", false, "unit");
    if (norm == "paper") s.norm = InputNorm::Paper;
    else if (norm == "unit") s.norm = InputNorm::Unit;
    else P.fail("unknown input_norm '" + norm + "' (known: paper, unit)");

    const std::string init = P.get_string(doc, "init", "", false, "pytorch");
    if (init == "pytorch") s.init = InitKind::Pytorch;
    else if (init == "lecun98") s.init = InitKind::Lecun98;
    else P.fail("unknown init '" + init + "' (known: pytorch, lecun98)");

    const std::string loss = P.get_string(doc, "loss", "", false, "xent");
    if (loss == "mse") s.loss = LossKind::Mse;
    else if (loss == "map") s.loss = LossKind::Map;
    else if (loss == "xent") s.loss = LossKind::Xent;
    else P.fail("unknown loss '" + loss + "' (known: mse, map, xent)");

    if (auto mj = doc.find("map_j"); mj != doc.end()) {
        if (!mj->is_number()) P.fail("\"map_j\" must be a number");
        s.map_j = mj->get<float>();
    }

    auto layers = doc.find("layers");
    if (layers == doc.end()) P.fail("missing \"layers\"");
    if (!layers->is_array()) P.fail("\"layers\" must be an array");
    if (layers->size() > size_t(kMaxLayers)) P.fail("too many layers (at most " + std::to_string(kMaxLayers) + ")");

    Shape cur = s.input;  // tracked only to resolve named tables' sizes in messages
    for (size_t i = 0; i < layers->size(); ++i) {
        const json& j = (*layers)[i];
        std::string ctx = layer_where(i, "") + ": ";
        if (!j.is_object()) P.fail(ctx + "must be an object");
        LayerSpec L;
        L.name = P.get_string(j, "name", ctx, true);
        ctx = layer_where(i, L.name) + ": ";
        const std::string type = P.get_string(j, "type", ctx, true);
        L.activation = parse_activation(P, P.get_string(j, "activation", ctx, false, "none"), ctx);
        if (type == "conv") {
            P.check_keys(j, {"name", "type", "description", "activation", "maps", "kernel", "stride", "padding", "table"}, ctx);
            L.type = LayerType::Conv;
            L.units = P.get_int(j, "maps", ctx, true, 0);
            L.kernel = P.get_int(j, "kernel", ctx, true, 0);
            L.stride = P.get_int(j, "stride", ctx, false, 1);
            L.padding = P.get_int(j, "padding", ctx, false, 0);
            auto t = j.find("table");
            if (t == j.end() || (t->is_string() && t->get<std::string>() == "full")) {
                L.table_name = "full";
            } else if (t->is_string()) {
                const std::string tn = t->get<std::string>();
                if (tn != "lenet5-table1")
                    P.fail(ctx + "unknown table '" + tn + "' (known: full, lenet5-table1, or an in x out 0/1 matrix)");
                L.table_name = tn;
                L.table = lenet5_table1();
                if (cur.c != 6 || L.units != 16)
                    P.fail(ctx + "table lenet5-table1 needs 6 input maps and 16 output maps, got " +
                           std::to_string(cur.c) + " and " + std::to_string(L.units));
            } else if (t->is_array()) {
                L.table_name = "custom";
                if (int(t->size()) != cur.c)
                    P.fail(ctx + "table has " + std::to_string(t->size()) + " rows but the layer has " +
                           std::to_string(cur.c) + " input maps (rows = input maps, columns = output maps)");
                for (const json& row : *t) {
                    if (!row.is_array() || int(row.size()) != L.units)
                        P.fail(ctx + "every table row must be an array of " + std::to_string(L.units) +
                               " entries (one per output map)");
                    for (const json& v : row) {
                        if (!v.is_number_integer() || (v.get<int64_t>() != 0 && v.get<int64_t>() != 1))
                            P.fail(ctx + "table entries must be 0 or 1");
                        L.table.push_back(uint8_t(v.get<int>()));
                    }
                }
            } else {
                P.fail(ctx + "\"table\" must be \"full\", \"lenet5-table1\" or an in x out matrix of 0/1");
            }
        } else if (type == "pool") {
            P.check_keys(j, {"name", "type", "description", "activation", "mode", "size", "stride"}, ctx);
            L.type = LayerType::Pool;
            const std::string mode = P.get_string(j, "mode", ctx, false, "avg");
            if (mode == "avg") L.pool = PoolMode::Avg;
            else if (mode == "max") L.pool = PoolMode::Max;
            else if (mode == "subsample") L.pool = PoolMode::Subsample;
            else P.fail(ctx + "unknown pool mode '" + mode + "' (known: avg, max, subsample)");
            L.kernel = P.get_int(j, "size", ctx, true, 0);
            L.stride = P.get_int(j, "stride", ctx, false, L.kernel);
        } else if (type == "full") {
            P.check_keys(j, {"name", "type", "description", "activation", "units"}, ctx);
            L.type = LayerType::Full;
            L.units = P.get_int(j, "units", ctx, true, 0);
        } else if (type == "rbf") {
            P.check_keys(j, {"name", "type", "description", "activation", "units", "prototypes"}, ctx);
            L.type = LayerType::Rbf;
            L.units = P.get_int(j, "units", ctx, true, 0);
            L.prototypes = P.get_string(j, "prototypes", ctx, true);
        } else {
            P.fail(ctx + "unknown layer type '" + type + "' (known: conv, pool, full, rbf)");
        }
        s.layers.push_back(L);
        // Keep the running shape for the table checks above; arch_validate() checks it fully.
        if (L.type == LayerType::Conv && cur.h + 2 * L.padding >= L.kernel && L.stride > 0)
            cur = {L.units, (cur.h + 2 * L.padding - L.kernel) / L.stride + 1,
                   (cur.w + 2 * L.padding - L.kernel) / L.stride + 1};
        else if (L.type == LayerType::Pool && L.stride > 0 && cur.h >= L.kernel)
            cur = {cur.c, (cur.h - L.kernel) / L.stride + 1, (cur.w - L.kernel) / L.stride + 1};
        else if (L.type == LayerType::Full || L.type == LayerType::Rbf)
            cur = {L.units, 1, 1};
    }
    arch_validate(s, where);
    return s;
}

static std::string read_text_file(const std::string& path) {
    if (io::is_directory(path)) throw Error(ErrorKind::Io, path, "is a directory, not a spec file");
    const std::vector<uint8_t> bytes = io::read_file(path, 16 * io::kMiB);
    return std::string(bytes.begin(), bytes.end());
}

ArchSpec arch_load(const std::string& name_or_path) {
    for (const std::string& n : arch_preset_names())
        if (n == name_or_path) return arch_preset(n);
    const bool looks_like_file = name_or_path.find('/') != std::string::npos ||
                                 name_or_path.find('.') != std::string::npos ||
                                 io::is_regular_file(name_or_path) || io::is_directory(name_or_path);
    if (!looks_like_file) return arch_preset(name_or_path);  // throws "unknown preset"
    return arch_from_json(read_text_file(name_or_path), name_or_path);
}

// A string builder with stream syntax, without <sstream> (iostreams pull locale code into the wasm).
struct TextOut {
    std::string text;
    TextOut& operator<<(const std::string& v) { text += v; return *this; }
    TextOut& operator<<(const char* v) { text += v; return *this; }
    TextOut& operator<<(int v) { text += std::to_string(v); return *this; }
};

std::string arch_to_json(const ArchSpec& s) {
    auto str = [](const std::string& v) { return json(v).dump(); };
    TextOut o;
    o << "{\n";
    o << "  \"name\": " << str(s.name) << ",\n";
    if (!s.description.empty()) o << "  \"description\": " << str(s.description) << ",\n";
    o << "  \"input\": [" << s.input.c << ", " << s.input.h << ", " << s.input.w << "],\n";
    o << "  \"input_norm\": \"" << input_norm_name(s.norm) << "\",\n";
    o << "  \"init\": \"" << init_name(s.init) << "\",\n";
    o << "  \"loss\": \"" << loss_name(s.loss) << "\",\n";
    if (s.loss == LossKind::Map) o << "  \"map_j\": " << json(s.map_j).dump() << ",\n";
    o << "  \"layers\": [\n";
    for (size_t i = 0; i < s.layers.size(); ++i) {
        const LayerSpec& L = s.layers[i];
        o << "    {\"name\": " << str(L.name) << ", \"type\": \"" << layer_type_name(L.type) << "\"";
        switch (L.type) {
            case LayerType::Conv:
                o << ", \"maps\": " << L.units << ", \"kernel\": " << L.kernel << ", \"stride\": " << L.stride
                  << ", \"padding\": " << L.padding;
                if (L.table_name == "lenet5-table1" && L.table == lenet5_table1()) {
                    o << ", \"table\": \"lenet5-table1\"";
                } else if (!L.table.empty()) {
                    const size_t in_maps = L.table.size() / size_t(L.units);
                    o << ", \"table\": [";
                    for (size_t r = 0; r < in_maps; ++r) {
                        o << (r ? ", [" : "[");
                        for (int c = 0; c < L.units; ++c) o << (c ? "," : "") << int(L.table[r * L.units + c]);
                        o << "]";
                    }
                    o << "]";
                }
                break;
            case LayerType::Pool:
                o << ", \"mode\": \"" << pool_mode_name(L.pool) << "\", \"size\": " << L.kernel
                  << ", \"stride\": " << L.stride;
                break;
            case LayerType::Full: o << ", \"units\": " << L.units; break;
            case LayerType::Rbf: o << ", \"units\": " << L.units << ", \"prototypes\": " << str(L.prototypes); break;
        }
        o << ", \"activation\": \"" << activation_name(L.activation) << "\"}";
        o << (i + 1 < s.layers.size() ? ",\n" : "\n");
    }
    o << "  ]\n}\n";
    return o.text;
}

}  // namespace lenet
