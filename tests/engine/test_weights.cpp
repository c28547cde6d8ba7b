// test_weights.cpp — weights files: the native .lenet format and .npz with PyTorch keys and layouts.
// Round trips for every preset, the exact keys/shapes PyTorch sees, and every bad file: wrong magic,
// truncation at each header field, CRC, NaN, missing/unknown/duplicate tensors, wrong shapes, weights
// at C3 connections Table I leaves out; a network is never changed by a failed load.
#include "io_fixtures.h"

#include <cmath>
#include <limits>
#include <map>

using namespace fixtures;
using lenet::ErrorKind;
using lenet::Network;
using lenet::NpyTensor;

namespace {

Network make_net(const std::string& preset, uint64_t seed) {
    Network net(lenet::arch_preset(preset));
    net.init(seed);
    return net;
}

// An independent writer of the native format (see weights.cpp's header comment), so tests can make
// files the engine's writer never would: missing, extra or misshapen tensors with a valid CRC.
Bytes native(const std::string& json, const std::vector<NpyTensor>& tensors, uint32_t version = 1) {
    Bytes b = {'L', 'E', 'N', 'E', 'T', '5', 'W', 0};
    put_le32(b, version);
    put_le32(b, uint32_t(json.size()));
    b.insert(b.end(), json.begin(), json.end());
    put_le32(b, uint32_t(tensors.size()));
    for (const NpyTensor& t : tensors) {
        put_le16(b, uint16_t(t.name.size()));
        b.insert(b.end(), t.name.begin(), t.name.end());
        b.push_back(uint8_t(t.shape.size()));
        for (int64_t d : t.shape) put_le32(b, uint32_t(d));
        for (float f : t.data) {
            uint32_t u;
            std::memcpy(&u, &f, 4);
            put_le32(b, u);
        }
    }
    put_le32(b, crc32_slow(b));
    return b;
}

void fix_crc(Bytes& b) { set_le32(b, b.size() - 4, crc32_slow(b.data(), b.size() - 4)); }

// Offsets of each tensor's data in a native file, by name.
std::map<std::string, size_t> data_offsets(const Bytes& b) {
    std::map<std::string, size_t> at;
    size_t p = 16 + get_le32(b, 12);
    uint32_t n = get_le32(b, p);
    p += 4;
    for (uint32_t k = 0; k < n; k++) {
        size_t nlen = size_t(b[p] | b[p + 1] << 8);
        std::string name(b.begin() + long(p + 2), b.begin() + long(p + 2 + nlen));
        p += 2 + nlen;
        size_t ndim = b[p++];
        size_t count = 1;
        for (size_t d = 0; d < ndim; d++, p += 4) count *= get_le32(b, p);
        at[name] = p;
        p += count * 4;
    }
    return at;
}

void set_float(Bytes& b, size_t at, float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    set_le32(b, at, u);
}

Network from_bytes(const Bytes& b) { return lenet::weights_from_bytes(b.data(), b.size(), "w.lenet"); }

bool same_weights(const Network& a, const Network& b) { return a.params() == b.params() && a.fixed() == b.fixed(); }

const NpyTensor* find(const std::vector<NpyTensor>& ts, const std::string& name) {
    for (const NpyTensor& t : ts)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace

TEST_SUITE("weights") {

TEST_CASE("weights: native round trip for every preset, in memory and on disk") {
    for (const std::string& preset : lenet::arch_preset_names()) {
        CAPTURE(preset);
        Network net = make_net(preset, 7);
        Bytes b = lenet::weights_to_bytes(net);
        CHECK(std::memcmp(b.data(), "LENET5W\0", 8) == 0);
        CHECK(get_le32(b, b.size() - 4) == crc32_slow(b.data(), b.size() - 4));
        Network back = from_bytes(b);
        CHECK(back.spec().name == preset);
        CHECK(lenet::arch_to_json(back.spec()) == lenet::arch_to_json(net.spec()));
        CHECK(same_weights(back, net));

        // Same outputs on the same input.
        std::vector<float> x(size_t(net.input_shape().size()));
        for (size_t i = 0; i < x.size(); i++) x[i] = float((i * 7919) % 101) / 50.0f - 1.0f;
        lenet::Workspace w1(net), w2(back);
        lenet::Prediction p1 = net.predict(w1, x.data()), p2 = back.predict(w2, x.data());
        CHECK(p1.label == p2.label);
        CHECK(p1.scores == p2.scores);

        TempDir dir;
        std::string path = dir.file("net.lenet");
        lenet::save_weights(net, path);
        CHECK(read_all(path) == b);
        CHECK(same_weights(lenet::load_weights(path), net));
        CHECK(same_weights(lenet::load_any_weights(path), net));
        size_t files = 0;
        for (auto& e : std::filesystem::directory_iterator(dir.path)) files += e.is_regular_file();
        CHECK(files == 1);  // no temporary file left behind
    }
}

TEST_CASE("weights: npz keys and shapes are PyTorch's") {
    Network net = make_net("lenet5-1998", 3);
    std::vector<NpyTensor> ts = lenet::get_tensors(net);
    std::map<std::string, std::vector<int64_t>> want = {
        {"C1.weight", {6, 1, 5, 5}},   {"C1.bias", {6}},     {"S2.coeff", {6}},    {"S2.bias", {6}},
        {"C3.weight", {16, 6, 5, 5}},  {"C3.bias", {16}},    {"S4.coeff", {16}},   {"S4.bias", {16}},
        {"C5.weight", {120, 16, 5, 5}}, {"C5.bias", {120}},  {"F6.weight", {84, 120}}, {"F6.bias", {84}},
        {"OUTPUT.prototypes", {10, 84}}};
    TempDir dir;
    std::string path = dir.file("w.npz");
    lenet::save_npz(net, path);
    Bytes z = read_all(path);
    std::vector<NpyTensor> file = lenet::npz_read(z.data(), z.size(), path);
    REQUIRE(file.size() == want.size());
    for (const NpyTensor& t : file) {
        CAPTURE(t.name);
        REQUIRE(want.count(t.name) == 1);
        CHECK(t.shape == want[t.name]);
    }
    // C3: Table I's absent connections are zero in the [16,6,5,5] tensor; present ones are not.
    const NpyTensor* c3 = find(file, "C3.weight");
    REQUIRE(c3);
    const std::vector<uint8_t>& table = lenet::lenet5_table1();  // [6][16]
    int zeros = 0, nonzero_present = 0;
    for (int o = 0; o < 16; o++)
        for (int i = 0; i < 6; i++)
            for (int k = 0; k < 25; k++) {
                float v = c3->data[size_t((o * 6 + i) * 25 + k)];
                if (!table[size_t(i * 16 + o)]) zeros += v == 0.0f;
                else nonzero_present += v != 0.0f;
            }
    CHECK(zeros == (96 - 60) * 25);       // 60 of the 96 map pairs are connected
    CHECK(nonzero_present > 1400);        // 1,500 trainable C3 weights, initialised uniformly
    // The RBF prototypes are the paper's fixed +1/-1 bitmaps.
    const NpyTensor* proto = find(file, "OUTPUT.prototypes");
    REQUIRE(proto);
    CHECK(proto->data == lenet::digit_prototypes_7x12());

    Network modern = make_net("lenet5", 3);
    std::vector<NpyTensor> m = lenet::get_tensors(modern);
    REQUIRE(find(m, "OUTPUT.weight"));
    CHECK(find(m, "OUTPUT.weight")->shape == std::vector<int64_t>{10, 84});
    CHECK(find(m, "C3.weight")->shape == std::vector<int64_t>{16, 6, 5, 5});
    CHECK(find(m, "S2.coeff") == nullptr);  // average pooling has no parameters
    CHECK(m.size() == 10);
}

TEST_CASE("weights: npz round trip into a fresh network") {
    for (const std::string& preset : lenet::arch_preset_names()) {
        CAPTURE(preset);
        Network net = make_net(preset, 11);
        TempDir dir;
        std::string path = dir.file("w.npz");
        lenet::save_npz(net, path);
        Network other = make_net(preset, 12);
        REQUIRE_FALSE(same_weights(other, net));
        lenet::load_npz(other, path);
        CHECK(same_weights(other, net));
        CHECK(same_weights(lenet::load_any_weights(path, preset), net));
        lenet::save_any_weights(net, dir.file("again.NPZ"));
        CHECK(read_all(dir.file("again.NPZ")) == read_all(path));
        lenet::save_any_weights(net, dir.file("w.lenet"));
        CHECK(same_weights(lenet::load_any_weights(dir.file("w.lenet")), net));
    }
}

TEST_CASE("weights: npz from PyTorch: absent C3 weights zeroed, fixed tensors optional, float64") {
    Network net = make_net("lenet5-1998", 5);
    std::vector<NpyTensor> ts = lenet::get_tensors(net);
    NpyTensor* c3 = nullptr;
    for (NpyTensor& t : ts) if (t.name == "C3.weight") c3 = &t;
    REQUIRE(c3);
    c3->data[75] = 0.5f;  // [0,3,0,0]: C3 map 0 does not read S2 map 3 (Table I)
    c3->data[0] = 0.25f;  // [0,0,0,0]: connected
    // A PyTorch export that leaves out the fixed prototypes buffer.
    std::vector<NpyTensor> no_proto;
    for (const NpyTensor& t : ts) if (t.name != "OUTPUT.prototypes") no_proto.push_back(t);
    Network target = make_net("lenet5-1998", 6);
    lenet::set_tensors(target, no_proto, "torch.npz");
    std::vector<NpyTensor> got = lenet::get_tensors(target);
    CHECK(find(got, "C3.weight")->data[75] == 0.0f);
    CHECK(find(got, "C3.weight")->data[0] == 0.25f);
    CHECK(find(got, "OUTPUT.prototypes")->data == lenet::digit_prototypes_7x12());
    CHECK(find(got, "F6.weight")->data == find(ts, "F6.weight")->data);
}

TEST_CASE("weights: bad npz files change nothing") {
    Network net = make_net("lenet5", 21);
    const std::vector<float> before = net.params();
    const std::vector<NpyTensor> good = lenet::get_tensors(make_net("lenet5", 22));
    TempDir dir;
    auto try_load = [&](const std::vector<NpyTensor>& ts) {
        std::string p = dir.write("bad.npz", lenet::npz_write(ts));
        lenet::load_npz(net, p);
    };
    SUBCASE("missing key") {
        std::vector<NpyTensor> ts(good.begin(), good.end() - 1);  // no OUTPUT.bias
        CHECK_LENET_ERROR(try_load(ts), ErrorKind::Shape, "missing tensor 'OUTPUT.bias' [10]");
    }
    SUBCASE("wrong shape") {
        std::vector<NpyTensor> ts = good;
        ts[0].shape = {6, 25};  // C1.weight flattened
        CHECK_LENET_ERROR(try_load(ts), ErrorKind::Shape, "'C1.weight' has shape [6,25], the network needs [6,1,5,5]");
        ts = good;
        ts[1].shape = {7};
        ts[1].data.push_back(0);
        CHECK_LENET_ERROR(try_load(ts), ErrorKind::Shape, "C1.bias");
    }
    SUBCASE("unknown key") {
        std::vector<NpyTensor> ts = good;
        ts.push_back(ts[0]);
        ts.back().name = "conv1.weight";
        CHECK_LENET_ERROR(try_load(ts), ErrorKind::Shape, "unknown tensor 'conv1.weight'");
    }
    SUBCASE("NaN and Inf") {
        std::vector<NpyTensor> ts = good;
        ts[2].data[3] = std::numeric_limits<float>::quiet_NaN();  // C3.weight
        CHECK_LENET_ERROR(try_load(ts), ErrorKind::Value, "'C3.weight'[0,0,0,3] is NaN");
        ts = good;
        ts.back().data[9] = std::numeric_limits<float>::infinity();
        CHECK_LENET_ERROR(try_load(ts), ErrorKind::Value, "infinite");
    }
    SUBCASE("not an npz, empty, a folder, a native file") {
        CHECK_LENET_ERROR(lenet::load_npz(net, dir.write("z.npz", {})), ErrorKind::Format, "empty file");
        CHECK_LENET_ERROR(lenet::load_npz(net, dir.path.string()), ErrorKind::Io, "is a directory");
        CHECK_LENET_ERROR(lenet::load_npz(net, dir.write("n.npz", lenet::weights_to_bytes(net))), ErrorKind::Format, "bad magic");
    }
    CHECK(net.params() == before);
}

TEST_CASE("weights: every bad native file gives one clear error") {
    Network net = make_net("lenet5-1998", 9);
    const Bytes good = lenet::weights_to_bytes(net);
    const size_t J = get_le32(good, 12);
    const std::map<std::string, size_t> at = data_offsets(good);
    REQUIRE(from_bytes(good).params() == net.params());

    SUBCASE("zero bytes, wrong magic, an npz") {
        CHECK_LENET_ERROR(from_bytes(Bytes{}), ErrorKind::Format, "empty file");
        Bytes m = good;
        m[3] = 'X';
        CHECK_LENET_ERROR(from_bytes(m), ErrorKind::Format, "bad magic");
        Bytes z = lenet::npz_write(lenet::get_tensors(net));
        CHECK_LENET_ERROR(from_bytes(z), ErrorKind::Format, ".npz");
    }
    SUBCASE("truncated at each header field") {
        struct Cut { size_t size; const char* field; };
        const size_t t0 = 20 + J;                 // first tensor: C1.weight
        const Cut cuts[] = {
            {4, "magic"},
            {10, "version"},
            {14, "architecture length"},
            {16 + J / 2, "architecture JSON"},
            {18 + J, "tensor count"},
            {t0 + 1, "tensor name length"},
            {t0 + 2 + 4, "tensor name"},          // "C1.weight" is 9 bytes
            {t0 + 2 + 9, "dimension count"},
            {t0 + 2 + 9 + 1 + 6, "tensor dimension"},
            {at.at("C1.weight") + 10, "tensor"},  // inside the data
            {good.size() - 2, "CRC-32"},
        };
        for (const Cut& c : cuts) {
            CAPTURE(c.size);
            CHECK_LENET_ERROR(from_bytes(prefix(good, c.size)), ErrorKind::Format, "truncated");
            CHECK_LENET_ERROR(from_bytes(prefix(good, c.size)), ErrorKind::Format, c.field);
        }
    }
    SUBCASE("version, CRC, trailing bytes") {
        Bytes v = good;
        set_le32(v, 8, 2);
        CHECK_LENET_ERROR(from_bytes(v), ErrorKind::Format, "unsupported version 2");
        Bytes c = good;
        c[at.at("F6.weight") + 1] ^= 0x10;
        CHECK_LENET_ERROR(from_bytes(c), ErrorKind::Format, "CRC-32 mismatch");
        Bytes e = good;
        e.push_back(0);
        CHECK_LENET_ERROR(from_bytes(e), ErrorKind::Format, "unexpected bytes after the CRC-32");
    }
    SUBCASE("absurd sizes never allocate") {
        Bytes j = good;
        set_le32(j, 12, 0xFFFFFFF0u);
        CHECK_LENET_ERROR(from_bytes(j), ErrorKind::Format, "architecture length");
        Bytes n = good;
        set_le32(n, 16 + J, 0xFFFFFFFFu);
        CHECK_LENET_ERROR(from_bytes(n), ErrorKind::Format, "tensor count");
        Bytes d = good;
        set_le32(d, 20 + J + 2 + 9 + 1, 0x7FFFFFFFu);  // C1.weight [2^31-1, 1, 5, 5]
        CHECK_LENET_ERROR(from_bytes(d), ErrorKind::Format, "larger than the rest of the file");
        Bytes z = good;
        z[20 + J + 2 + 9] = 0;  // zero dimensions
        CHECK_LENET_ERROR(from_bytes(z), ErrorKind::Format, "0 dimensions");
    }
    SUBCASE("NaN or Inf weights (with a valid CRC)") {
        Bytes b = good;
        set_float(b, at.at("F6.bias") + 4 * 5, std::numeric_limits<float>::quiet_NaN());
        fix_crc(b);
        CHECK_LENET_ERROR(from_bytes(b), ErrorKind::Value, "'F6.bias'[5] is NaN");
        Bytes i = good;
        set_float(i, at.at("S2.coeff"), -std::numeric_limits<float>::infinity());
        fix_crc(i);
        CHECK_LENET_ERROR(from_bytes(i), ErrorKind::Value, "'S2.coeff'[0] is infinite");
    }
    SUBCASE("a weight at a connection Table I leaves out") {
        Bytes b = good;
        set_float(b, at.at("C3.weight") + 4 * 75, 0.5f);  // [0,3,0,0]
        fix_crc(b);
        CHECK_LENET_ERROR(from_bytes(b), ErrorKind::Value, "'C3.weight'[0,3,0,0] is nonzero at a connection");
    }
    SUBCASE("bad architecture JSON") {
        Bytes b = good;
        for (size_t k = 16; k < 16 + J; k++) b[k] = 'x';
        fix_crc(b);
        CHECK_LENET_ERROR(from_bytes(b), ErrorKind::Spec, "w.lenet");
    }
    SUBCASE("missing, unknown, duplicate and misshapen tensors") {
        const std::string json = lenet::arch_to_json(net.spec());
        std::vector<NpyTensor> ts = lenet::get_tensors(net);
        REQUIRE(same_weights(from_bytes(native(json, ts)), net));  // the independent writer agrees
        CHECK(native(json, ts) == good);
        std::vector<NpyTensor> missing(ts.begin(), ts.end() - 1);   // no prototypes: required here
        CHECK_LENET_ERROR(from_bytes(native(json, missing)), ErrorKind::Shape, "missing tensor 'OUTPUT.prototypes'");
        std::vector<NpyTensor> extra = ts;
        extra.push_back(ts[0]);
        extra.back().name = "C7.weight";
        CHECK_LENET_ERROR(from_bytes(native(json, extra)), ErrorKind::Shape, "unknown tensor 'C7.weight'");
        std::vector<NpyTensor> dup = ts;
        dup.push_back(ts[1]);
        CHECK_LENET_ERROR(from_bytes(native(json, dup)), ErrorKind::Format, "duplicate tensor 'C1.bias'");
        std::vector<NpyTensor> shape = ts;
        shape[10].shape = {120, 84};  // F6.weight transposed
        CHECK_LENET_ERROR(from_bytes(native(json, shape)), ErrorKind::Shape, "'F6.weight' has shape [120,84]");
    }
}

TEST_CASE("weights: files that are missing, empty or folders; loading by content") {
    TempDir dir;
    CHECK_LENET_ERROR(lenet::load_weights(dir.file("none.lenet")), ErrorKind::Io, "cannot open");
    CHECK_LENET_ERROR(lenet::load_weights(dir.path.string()), ErrorKind::Io, "is a directory");
    std::string empty = dir.write("empty.lenet", {});
    CHECK_LENET_ERROR(lenet::load_weights(empty), ErrorKind::Format, "empty file");
    CHECK_LENET_ERROR(lenet::load_any_weights(empty), ErrorKind::Format, empty);

    Network net = make_net("lenet5", 1);
    std::string npz = dir.file("w.npz");
    lenet::save_npz(net, npz);
    // Our .npz names its architecture in the zip comment; a bare one fitting two presets needs --arch.
    CHECK(same_weights(lenet::load_any_weights(npz), net));
    const std::string bare = dir.write("bare.npz", lenet::npz_write(lenet::get_tensors(net)));
    CHECK_LENET_ERROR(lenet::load_any_weights(bare), ErrorKind::Usage, "give --arch");
    // An npz named .lenet is still read as npz (by content).
    std::filesystem::copy_file(npz, dir.file("disguised.lenet"));
    CHECK(same_weights(lenet::load_any_weights(dir.file("disguised.lenet"), "lenet5"), net));
    // A native lenet5 file into lenet5-relu (the same tensors) works; into lenet5-1998 it does not.
    std::string native_path = dir.file("w.lenet");
    lenet::save_weights(net, native_path);
    Network relu = lenet::load_any_weights(native_path, "lenet5-relu");
    CHECK(relu.spec().name == "lenet5-relu");
    CHECK(relu.params() == net.params());
    CHECK_LENET_ERROR(lenet::load_any_weights(native_path, "lenet5-1998"), ErrorKind::Shape, "unknown tensor 'OUTPUT.weight'");
    CHECK_LENET_ERROR(lenet::load_any_weights(npz, "lenet5-1998"), ErrorKind::Shape, "w.npz");
}

TEST_CASE("weights: a failed save never replaces a good file") {
    TempDir dir;
    Network net = make_net("lenet5-1998", 4);
    std::string path = dir.file("good.lenet");
    lenet::save_weights(net, path);
    const Bytes saved = read_all(path);

    Network broken = net;
    broken.params()[100] = std::numeric_limits<float>::quiet_NaN();
    CHECK_LENET_ERROR(lenet::save_weights(broken, path), ErrorKind::Value, "NaN");
    CHECK_LENET_ERROR(lenet::save_npz(broken, dir.file("x.npz")), ErrorKind::Value, "NaN");
    CHECK(read_all(path) == saved);
    CHECK_FALSE(std::filesystem::exists(dir.file("x.npz")));

    CHECK_LENET_ERROR(lenet::save_weights(net, dir.file("no/such/folder/w.lenet")), ErrorKind::Io, "cannot write");
    CHECK_LENET_ERROR(lenet::save_weights(net, dir.path.string()), ErrorKind::Io, "is a directory");
    CHECK(same_weights(lenet::load_weights(path), net));
}

}  // TEST_SUITE
