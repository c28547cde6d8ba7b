// test_arch.cpp — architecture specs: the presets' counts against the paper layer by layer, the
// asset files equal the built-in presets, JSON round trips, Table I and the RBF bitmaps, counts for
// other inputs and channel counts, and every spec error with its message.
#include "net_fixtures.h"

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace lenet;

namespace {

struct Expect { const char* name; Shape out; int64_t params, connections, macs; };

void check_counts(const std::string& arch, const std::vector<Expect>& expect, Totals total) {
    const Network net(arch_preset(arch));
    REQUIRE(net.layers().size() == expect.size());
    for (size_t i = 0; i < expect.size(); ++i) {
        const LayerInfo& L = net.layers()[i];
        CAPTURE(L.name);
        CHECK(L.name == expect[i].name);
        CHECK(L.out == expect[i].out);
        CHECK(L.params == expect[i].params);
        CHECK(L.connections == expect[i].connections);
        CHECK(L.macs == expect[i].macs);
    }
    CHECK(net.totals().params == total.params);
    CHECK(net.totals().connections == total.connections);
    CHECK(net.totals().macs == total.macs);
}

// Expect arch_from_json(text) to throw Error(Spec) whose message contains `needle`.
void check_spec_error(const std::string& text, const std::string& needle) {
    CAPTURE(text);
    try {
        arch_from_json(text, "bad.json");
        FAIL("no error for a bad spec; expected: " << needle);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Spec);
        CHECK(e.where() == "bad.json");
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
        CHECK(std::string(e.what()).rfind("bad.json: ", 0) == 0);
    }
}

// A valid small spec with one layer replaced by `layer` (JSON object text).
std::string with_layer(const std::string& layer, const std::string& input = "[1, 8, 8]") {
    return R"({"name": "t", "input": )" + input + R"(, "loss": "xent", "layers": [)" + layer +
           R"(, {"name": "OUT", "type": "full", "units": 10}]})";
}

}  // namespace

TEST_SUITE("arch") {

TEST_CASE("arch: lenet5-1998 counts equal the paper's table layer by layer") {
    // [LeCun 1998, Section II.B]; MACs by layer definitions, bias excluded.
    check_counts("lenet5-1998",
                 {{"C1", {6, 28, 28}, 156, 122304, 117600},
                  {"S2", {6, 14, 14}, 12, 5880, 1176},
                  {"C3", {16, 10, 10}, 1516, 151600, 150000},
                  {"S4", {16, 5, 5}, 32, 2000, 400},
                  {"C5", {120, 1, 1}, 48120, 48120, 48000},
                  {"F6", {84, 1, 1}, 10164, 10164, 10080},
                  {"OUTPUT", {10, 1, 1}, 0, 840, 840}},
                 {60000, 340908, 328096});
}

TEST_CASE("arch: lenet5 and lenet5-relu counts") {
    const std::vector<Expect> modern = {{"C1", {6, 28, 28}, 156, 122304, 117600},
                                        {"S2", {6, 14, 14}, 0, 4704, 0},
                                        {"C3", {16, 10, 10}, 2416, 241600, 240000},
                                        {"S4", {16, 5, 5}, 0, 1600, 0},
                                        {"C5", {120, 1, 1}, 48120, 48120, 48000},
                                        {"F6", {84, 1, 1}, 10164, 10164, 10080},
                                        {"OUTPUT", {10, 1, 1}, 850, 850, 840}};
    check_counts("lenet5", modern, {61706, 429342, 416520});
    check_counts("lenet5-relu", modern, {61706, 429342, 416520});
    const ArchSpec relu = arch_preset("lenet5-relu");
    CHECK(relu.layers[0].activation == Activation::Relu);
    CHECK(relu.layers[1].pool == PoolMode::Max);
    CHECK(arch_preset("lenet5").layers[1].pool == PoolMode::Avg);
}

TEST_CASE("arch: the asset files equal the built-in presets") {
    for (const std::string& name : arch_preset_names()) {
        CAPTURE(name);
        const std::string path = std::string(LENET_SOURCE_DIR) + "/assets/arch/" + name + ".json";
        const ArchSpec file = arch_load(path);
        CHECK(arch_to_json(file) == arch_to_json(arch_preset(name)));
        CHECK(arch_to_json(arch_load(name)) == arch_to_json(arch_preset(name)));
        const Network a(file), b(arch_preset(name));
        CHECK(a.totals().params == b.totals().params);
        CHECK(file.layers.size() == b.spec().layers.size());
    }
}

TEST_CASE("arch: arch_to_json round-trips through arch_from_json") {
    for (const std::string& name : arch_preset_names()) {
        const std::string j = arch_to_json(arch_preset(name));
        const ArchSpec back = arch_from_json(j, name);
        CHECK(arch_to_json(back) == j);
        CHECK(back.layers[2].table == arch_preset(name).layers[2].table);
    }
    // a custom spec with every kind of field
    const std::string text = R"({"name": "custom", "input": [2, 12, 10], "input_norm": "paper", "init": "lecun98",
        "loss": "map", "map_j": 2.5, "layers": [
        {"name": "A", "type": "conv", "maps": 3, "kernel": 3, "stride": 2, "padding": 1,
         "table": [[1,0,1],[0,1,1]], "activation": "sigmoid"},
        {"name": "B", "type": "pool", "mode": "max", "size": 2, "stride": 1, "activation": "relu"},
        {"name": "C", "type": "full", "units": 84, "activation": "scaled_tanh"},
        {"name": "D", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})";
    const ArchSpec s = arch_from_json(text, "custom.json");
    CHECK(s.input == Shape{2, 12, 10});
    CHECK(s.norm == InputNorm::Paper);
    CHECK(s.init == InitKind::Lecun98);
    CHECK(s.loss == LossKind::Map);
    CHECK(s.map_j == doctest::Approx(2.5));
    CHECK(s.layers[0].table == std::vector<uint8_t>{1, 0, 1, 0, 1, 1});
    CHECK(s.layers[0].stride == 2);
    CHECK(s.layers[0].padding == 1);
    CHECK(s.layers[1].stride == 1);
    const std::string j = arch_to_json(s);
    CHECK(arch_to_json(arch_from_json(j, "again")) == j);
    // defaults: stride 1 / = size, padding 0, activation none, norm unit, init pytorch, loss xent
    const ArchSpec d = arch_from_json(R"({"name": "d", "input": [1, 8, 8], "layers": [
        {"name": "a", "type": "conv", "maps": 2, "kernel": 3}, {"name": "b", "type": "pool", "size": 2},
        {"name": "c", "type": "full", "units": 10}]})");
    CHECK(d.layers[0].stride == 1);
    CHECK(d.layers[0].padding == 0);
    CHECK(d.layers[0].activation == Activation::None);
    CHECK(d.layers[1].pool == PoolMode::Avg);
    CHECK(d.layers[1].stride == 2);
    CHECK(d.norm == InputNorm::Unit);
    CHECK(d.init == InitKind::Pytorch);
    CHECK(d.loss == LossKind::Xent);
}

TEST_CASE("arch: Table I as in the paper") {
    const std::vector<uint8_t>& t = lenet5_table1();
    REQUIRE(t.size() == 96);
    int total = 0;
    std::vector<int> per_map(16, 0);
    for (int i = 0; i < 6; ++i)
        for (int o = 0; o < 16; ++o) {
            total += t[size_t(i * 16 + o)];
            per_map[size_t(o)] += t[size_t(i * 16 + o)];
        }
    CHECK(total == 60);
    // maps 0-5 read 3 contiguous S2 maps, 6-11 four contiguous, 12-14 four non-contiguous, 15 all six
    for (int o = 0; o < 6; ++o) {
        CHECK(per_map[size_t(o)] == 3);
        for (int k = 0; k < 3; ++k) CHECK(t[size_t(((o + k) % 6) * 16 + o)] == 1);
    }
    for (int o = 6; o < 12; ++o) {
        CHECK(per_map[size_t(o)] == 4);
        for (int k = 0; k < 4; ++k) CHECK(t[size_t(((o - 6 + k) % 6) * 16 + o)] == 1);
    }
    for (int o = 12; o < 15; ++o) CHECK(per_map[size_t(o)] == 4);
    CHECK(per_map[15] == 6);
    // row S0 of the paper: X . . . X X X . . X X X X . X X
    const std::vector<uint8_t> s0 = {1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1};
    CHECK(std::vector<uint8_t>(t.begin(), t.begin() + 16) == s0);
}

TEST_CASE("arch: RBF prototypes are ten distinct 7x12 +1/-1 bitmaps") {
    const std::vector<float>& p = digit_prototypes_7x12();
    REQUIRE(p.size() == 840);
    for (float v : p) CHECK((v == 1.0f || v == -1.0f));
    for (int a = 0; a < 10; ++a) {
        int ink = 0;
        for (int k = 0; k < 84; ++k) ink += p[size_t(a * 84 + k)] > 0;
        CHECK(ink >= 12);  // a visible glyph
        CHECK(ink <= 42);
        for (int b = a + 1; b < 10; ++b) {
            int diff = 0;
            for (int k = 0; k < 84; ++k) diff += p[size_t(a * 84 + k)] != p[size_t(b * 84 + k)];
            CAPTURE(a);
            CAPTURE(b);
            CHECK(diff >= 6);  // well separated: distance >= 6 * 4 = 24 in squared Euclidean terms
        }
    }
}

TEST_CASE("arch: counts for 28x28 input, other channel counts, stride and padding") {
    SUBCASE("Caffe's LeNet for 28x28 (431,080 params)") {
        const Network net(nettest::spec_json(R"({"name": "caffe-lenet", "input": [1, 28, 28], "layers": [
            {"name": "conv1", "type": "conv", "maps": 20, "kernel": 5},
            {"name": "pool1", "type": "pool", "mode": "max", "size": 2},
            {"name": "conv2", "type": "conv", "maps": 50, "kernel": 5},
            {"name": "pool2", "type": "pool", "mode": "max", "size": 2},
            {"name": "ip1", "type": "full", "units": 500, "activation": "relu"},
            {"name": "ip2", "type": "full", "units": 10}]})"));
        CHECK(net.layers()[0].out == Shape{20, 24, 24});
        CHECK(net.layers()[2].out == Shape{50, 8, 8});
        CHECK(net.layers()[3].out == Shape{50, 4, 4});
        CHECK(net.layers()[0].params == 520);
        CHECK(net.layers()[2].params == 25050);
        CHECK(net.layers()[4].params == 400500);
        CHECK(net.layers()[5].params == 5010);
        CHECK(net.totals().params == 431080);
        CHECK(net.layers()[2].macs == 50LL * 20 * 25 * 64);
        CHECK(net.layers()[2].connections == 50LL * (20 * 25 + 1) * 64);
        CHECK(net.layers()[1].connections == 20LL * 12 * 12 * 4);
        CHECK(net.layers()[4].macs == 800LL * 500);
        CHECK(net.layers()[4].fan_in == 800);
    }
    SUBCASE("28x28 input with padding 2 keeps C1 at 28x28") {
        const Network net(nettest::spec_json(R"({"name": "p", "input": [1, 28, 28], "layers": [
            {"name": "C1", "type": "conv", "maps": 6, "kernel": 5, "padding": 2},
            {"name": "S2", "type": "pool", "size": 2}, {"name": "F", "type": "full", "units": 10}]})"));
        CHECK(net.layers()[0].out == Shape{6, 28, 28});
        CHECK(net.layers()[0].connections == 122304);  // padded positions count: K x K per output
        CHECK(net.layers()[0].macs == 117600);
        CHECK(net.layers()[2].params == 6 * 14 * 14 * 10 + 10);
    }
    SUBCASE("3-channel input, stride 2, a custom table, subsampling") {
        const Network net(nettest::spec_json(R"({"name": "c", "input": [3, 9, 11], "layers": [
            {"name": "A", "type": "conv", "maps": 2, "kernel": 3, "stride": 2, "table": [[1,0],[1,1],[0,1]]},
            {"name": "B", "type": "pool", "mode": "subsample", "size": 2, "stride": 1},
            {"name": "F", "type": "full", "units": 4}]})"));
        const LayerInfo& A = net.layers()[0];
        CHECK(A.out == Shape{2, 4, 5});
        CHECK(A.params == 2 * 2 * 9 + 2);        // each map reads 2 of the 3 inputs
        CHECK(A.connections == 2 * (2 * 9 + 1) * 20);
        CHECK(A.macs == 2 * 2 * 9 * 20);
        CHECK(A.fan_in == 18);
        CHECK(A.weight_count == size_t(2 * 3 * 9));  // dense storage; absent weights stay zero
        const LayerInfo& B = net.layers()[1];
        CHECK(B.out == Shape{2, 3, 4});
        CHECK(B.params == 4);
        CHECK(B.connections == 24 * 5);
        CHECK(B.macs == 24);
        CHECK(net.totals().params == 38 + 4 + 24 * 4 + 4);
        std::vector<uint8_t> mask = net.trainable_mask();
        size_t ones = 0;
        for (uint8_t m : mask) ones += m;
        CHECK(int64_t(ones) == net.totals().params);
    }
}

TEST_CASE("arch: backward MACs per layer, counted by hand") {
    SUBCASE("a table conv, a subsampling pool, a full layer") {
        const Network net(nettest::spec_json(R"({"name": "c", "input": [3, 9, 11], "layers": [
            {"name": "A", "type": "conv", "maps": 2, "kernel": 3, "stride": 2, "table": [[1,0],[1,1],[0,1]]},
            {"name": "B", "type": "pool", "mode": "subsample", "size": 2, "stride": 1},
            {"name": "F", "type": "full", "units": 4}]})"));
        // A: 2 maps x 2 connected inputs x 3x3 taps x 4x5 positions: dE/din and dE/dw one multiply per
        // weight use each. B: coefficient x dE/dpre once per output unit (2@3x4) for dE/din, window sum
        // x dE/dpre for dE/dcoeff. F: 24 inputs x 4 units, each way.
        const int64_t in[] = {2 * 2 * 9 * 20, 24, 24 * 4}, w[] = {2 * 2 * 9 * 20, 24, 24 * 4};
        for (size_t i = 0; i < 3; ++i) {
            CAPTURE(i);
            CHECK(net.layers()[i].grad_input_macs == in[i]);
            CHECK(net.layers()[i].grad_weight_macs == w[i]);
        }
        CHECK(net.totals().grad_input_macs == 720 + 24 + 96);
        CHECK(net.totals().grad_weight_macs == 720 + 24 + 96);
    }
    SUBCASE("max and avg pools and an rbf have no weights to multiply") {
        const Network net(nettest::spec_json(R"({"name": "r", "input": [1, 8, 8], "loss": "mse", "layers": [
            {"name": "M", "type": "pool", "mode": "max", "size": 2},
            {"name": "V", "type": "pool", "mode": "avg", "size": 2},
            {"name": "F", "type": "full", "units": 84, "activation": "scaled_tanh"},
            {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})"));
        CHECK(net.layers()[0].grad_input_macs == 0);
        CHECK(net.layers()[1].grad_weight_macs == 0);
        CHECK(net.layers()[2].grad_input_macs == 4 * 84);
        CHECK(net.layers()[3].grad_input_macs == 84 * 10);  // 2(x - p) x dE/dy per input and unit
        CHECK(net.layers()[3].grad_weight_macs == 0);       // fixed prototypes
    }
    SUBCASE("the presets: a training step costs about 3x a forward pass") {
        const Totals p = Network(arch_preset("lenet5-1998")).totals();
        CHECK(p.grad_input_macs == 328096);             // 117,600 + 1,176 + 150,000 + 400 + 48,000 + 10,080 + 840
        CHECK(p.grad_weight_macs == 328096 - 840);      // OUTPUT's prototypes are fixed
        const Totals m = Network(arch_preset("lenet5")).totals();
        CHECK(m.grad_input_macs == 416520);
        CHECK(m.grad_weight_macs == 416520);
    }
}

TEST_CASE("arch: shape_str and names") {
    CHECK(shape_str({6, 28, 28}) == "6@28x28");
    CHECK(shape_str({84, 1, 1}) == "84");
    CHECK(std::string(activation_name(Activation::ScaledTanh)) == "scaled_tanh");
    CHECK(std::string(pool_mode_name(PoolMode::Subsample)) == "subsample");
    CHECK(std::string(loss_name(LossKind::Map)) == "map");
    CHECK(std::string(layer_type_name(LayerType::Rbf)) == "rbf");
    CHECK(std::string(error_kind_name(ErrorKind::Spec)) == "spec");
}

TEST_CASE("arch: every spec error gives one clear message") {
    check_spec_error("{", "invalid JSON");
    check_spec_error("[1, 2]", "must be a JSON object");
    check_spec_error(R"({"input": [1, 8, 8], "layers": []})", "missing \"name\"");
    check_spec_error(R"({"name": "x", "layers": []})", "missing \"input\"");
    check_spec_error(R"({"name": "x", "input": [1, 8], "layers": []})", "\"input\" must be [C, H, W]");
    check_spec_error(R"({"name": "x", "input": [1, 0, 8], "layers": []})", "\"input\" values must be integers");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8]})", "missing \"layers\"");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8], "layers": []})", "no layers");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8], "layers": {}})", "\"layers\" must be an array");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8], "layerz": []})", "unknown key 'layerz'");
    check_spec_error(R"({"name": 3, "input": [1, 8, 8], "layers": []})", "\"name\" must be a string");
    {
        std::string t = with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3})");
        t.replace(t.find("xent"), 4, "hinge");
        check_spec_error(t, "unknown loss 'hinge'");
    }
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3})").replace(
                         0, 1, R"({"input_norm": "z", )"),
                     "unknown input_norm 'z'");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3})").replace(
                         0, 1, R"({"init": "xavier", )"),
                     "unknown init 'xavier'");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3})").replace(
                         0, 1, R"({"map_j": -1, )"),
                     "map_j must be a positive");
    check_spec_error(with_layer(R"({"name": "A", "type": "lstm"})"), "layer 1 'A': unknown layer type 'lstm'");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "kernel": 5})"),
                     "duplicate key \"kernel\"");
    check_spec_error(with_layer(R"({"type": "conv", "maps": 2, "kernel": 3})"), "layer 1: missing \"name\"");
    check_spec_error(with_layer(R"({"name": "A", "maps": 2, "kernel": 3})"), "missing \"type\"");
    check_spec_error(with_layer(R"(7)"), "layer 1: must be an object");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "kernal": 3})"),
                     "unknown key 'kernal'");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "kernel": 3})"), "missing \"maps\"");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2.5, "kernel": 3})"),
                     "\"maps\" must be an integer");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 9})"),
                     "layer 1 'A': conv kernel 9 (padding 0) does not fit its input 1@8x8");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 0, "kernel": 3})"), "conv maps must be");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "stride": 0})"),
                     "conv stride must be");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "padding": 3})"),
                     "conv padding must be 0..2");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "activation": "gelu"})"),
                     "unknown activation 'gelu'");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "table": "sparse"})"),
                     "unknown table 'sparse'");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 16, "kernel": 3, "table": "lenet5-table1"})"),
                     "table lenet5-table1 needs 6 input maps and 16 output maps, got 1 and 16");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "table": [[1,1],[1,1]]})"),
                     "table has 2 rows but the layer has 1 input maps");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "table": [[1,1,1]]})"),
                     "every table row must be an array of 2 entries");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "table": [[1,2]]})"),
                     "table entries must be 0 or 1");
    check_spec_error(with_layer(R"({"name": "A", "type": "conv", "maps": 2, "kernel": 3, "table": [[1,0]]})"),
                     "output map 1 has no input");
    check_spec_error(with_layer(R"({"name": "A", "type": "pool", "mode": "median", "size": 2})"),
                     "unknown pool mode 'median'");
    check_spec_error(with_layer(R"({"name": "A", "type": "pool", "size": 9})"),
                     "pool size 9 does not fit its input 1@8x8");
    check_spec_error(with_layer(R"({"name": "A", "type": "pool", "size": 2, "maps": 3})"), "unknown key 'maps'");
    check_spec_error(with_layer(R"({"name": "A", "type": "full", "units": -4})"), "full units must be");
    check_spec_error(with_layer(R"({"name": "OUT", "type": "full", "units": 4})"), "duplicate layer name 'OUT'");
    check_spec_error(with_layer(R"({"name": "A.b", "type": "full", "units": 4})"), "name may only use letters");
    check_spec_error(with_layer(R"({"name": "", "type": "full", "units": 4})"), "has no name");
    check_spec_error(with_layer(R"({"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"})",
                                "[84, 1, 1]"),
                     "rbf is an output layer");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8], "layers": [
        {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}]})",
                     "needs an input of 84 values (7x12 bitmaps), got 1@8x8");
    check_spec_error(R"({"name": "x", "input": [84, 1, 1], "layers": [
        {"name": "R", "type": "rbf", "units": 12, "prototypes": "digits-7x12"}]})",
                     "needs 10 units, got 12");
    check_spec_error(R"({"name": "x", "input": [84, 1, 1], "layers": [
        {"name": "R", "type": "rbf", "units": 10, "prototypes": "letters"}]})",
                     "unknown rbf prototypes 'letters'");
    check_spec_error(R"({"name": "x", "input": [84, 1, 1], "layers": [
        {"name": "R", "type": "rbf", "units": 10}]})",
                     "missing \"prototypes\"");
    check_spec_error(R"({"name": "x", "input": [84, 1, 1], "layers": [
        {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12", "activation": "tanh"}]})",
                     "rbf layers take no activation");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8], "layers": [{"name": "F", "type": "full", "units": 1}]})",
                     "at least 2 outputs");
    // absurd sizes are refused before anything is allocated
    check_spec_error(R"({"name": "x", "input": [4096, 4096, 4096], "layers": [{"name": "F", "type": "full", "units": 2}]})",
                     "too large");
    check_spec_error(R"({"name": "x", "input": [1, 4096, 4096], "layers": [{"name": "F", "type": "full", "units": 65536}]})",
                     "more than");
    check_spec_error(R"({"name": "x", "input": [1, 8, 8], "layers": [{"name": "F", "type": "full", "units": 99999999999}]})",
                     "out of range");
}

TEST_CASE("arch: arch_load errors name the file or the preset") {
    try {
        arch_load("lenet6");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Spec);
        CHECK(std::string(e.what()).find("unknown architecture preset 'lenet6'") != std::string::npos);
        CHECK(std::string(e.what()).find("lenet5-1998") != std::string::npos);
    }
    try {
        arch_load("/nonexistent/dir/spec.json");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Io);
        CHECK(e.where() == "/nonexistent/dir/spec.json");
    }
    try {
        arch_load(std::string(LENET_SOURCE_DIR) + "/assets");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Io);
    }
    CHECK_THROWS_AS(Network(ArchSpec{}), Error);
    // a spec file without an extension or a folder still loads when it exists
    const std::string plain = "lenet_test_spec_noext";
    {
        std::ofstream f(plain);
        f << arch_to_json(arch_preset("lenet5"));
    }
    CHECK(arch_load(plain).layers.size() == 7);
    std::remove(plain.c_str());
}

}  // TEST_SUITE

TEST_SUITE("arch") {

TEST_CASE("arch: mutated specs either parse into a working network or give lenet::Error") {
    // 3,000 deterministic mutations (byte changes, deletions, duplications, number swaps) of the
    // presets' JSON: nothing else may escape (no nlohmann exceptions, no crash, no huge allocation).
    const std::vector<std::string> numbers = {"0", "-1", "1", "2", "84", "4097", "1e9", "2.5", "99999999999", "true",
                                              "null", "\"x\"", "[]", "{}", "[1,2,3]"};
    nettest::Lcg rng(2024);
    int parsed = 0, refused = 0;
    for (int n = 0; n < 3000; ++n) {
        const std::vector<std::string> names = arch_preset_names();
        std::string t = arch_to_json(arch_preset(names[size_t(n) % names.size()]));
        const int edits = 1 + int(rng.uniform(0, 3));
        for (int e = 0; e < edits; ++e) {
            const size_t pos = size_t(rng.uniform(0, double(t.size()) - 1e-9));
            switch (int(rng.uniform(0, 4))) {
                case 0: t[pos] = char(rng.uniform(32, 127)); break;
                case 1: t.erase(pos, size_t(rng.uniform(1, 12))); break;
                case 2: t.insert(pos, t.substr(pos, size_t(rng.uniform(1, 40)))); break;
                default: {
                    const size_t d = t.find_first_of("0123456789", pos);
                    if (d != std::string::npos) {
                        size_t end = d;
                        while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) ++end;
                        t.replace(d, end - d, numbers[size_t(rng.uniform(0, double(numbers.size()) - 1e-9))]);
                    }
                }
            }
        }
        try {
            const ArchSpec s = arch_from_json(t, "fuzz.json");
            const Network net(s);
            Workspace ws(net);
            std::vector<float> x(size_t(net.input_shape().size()), 0.5f);
            net.forward(ws, x.data());
            ++parsed;
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Spec);
            CHECK(e.where() == "fuzz.json");
            ++refused;
        } catch (const std::exception& e) {
            FAIL_CHECK("escaped: " << e.what() << "\n" << t);
        }
    }
    MESSAGE(parsed << " mutated specs parsed and ran, " << refused << " refused");
    CHECK(parsed > 100);
    CHECK(refused > 1000);
}

}  // TEST_SUITE
