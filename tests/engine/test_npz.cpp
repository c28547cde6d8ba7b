// test_npz.cpp — NumPy .npy arrays and .npz (zip) archives: exact bytes numpy expects, round trips,
// numpy's own zip64 style, deflated entries, and every malformed archive we can think of.
#include "io_fixtures.h"

using namespace fixtures;
using lenet::ErrorKind;
using lenet::NpyTensor;

namespace {

NpyTensor make(const std::string& name, std::vector<int64_t> shape) {
    NpyTensor t;
    t.name = name;
    t.shape = shape;
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    for (int64_t i = 0; i < n; i++) t.data.push_back(float(i) * 0.25f - 3.0f);
    return t;
}

// A hand-made .npy with any header text and data.
Bytes npy(const std::string& dict, const Bytes& data, uint8_t major = 1) {
    Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
    if (major == 1) put_le16(b, uint16_t(dict.size()));
    else put_le32(b, uint32_t(dict.size()));
    b.insert(b.end(), dict.begin(), dict.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

Bytes f32(std::vector<float> v) {
    Bytes b;
    for (float f : v) {
        uint32_t u;
        std::memcpy(&u, &f, 4);
        put_le32(b, u);
    }
    return b;
}

struct Entry {
    std::string name;
    Bytes       body;       // uncompressed
    uint16_t    method = 0; // 0 stored, 8 deflate (stored blocks)
    bool        zip64_local = false;  // numpy's style: sizes 0xFFFFFFFF + zip64 extra in the local header
};

// An independent zip writer, to feed the reader archives shaped like numpy's and broken ones.
Bytes zip(const std::vector<Entry>& entries) {
    Bytes out, cd;
    for (const Entry& e : entries) {
        Bytes data = e.method == 8 ? deflate_stored(e.body) : e.body;
        uint32_t crc = crc32_slow(e.body), off = uint32_t(out.size());
        put_le32(out, 0x04034b50);
        put_le16(out, e.zip64_local ? 45 : 20);
        put_le16(out, 0);
        put_le16(out, e.method);
        put_le16(out, 0);
        put_le16(out, 0x21);
        put_le32(out, crc);
        put_le32(out, e.zip64_local ? 0xFFFFFFFFu : uint32_t(data.size()));
        put_le32(out, e.zip64_local ? 0xFFFFFFFFu : uint32_t(e.body.size()));
        put_le16(out, uint16_t(e.name.size()));
        put_le16(out, e.zip64_local ? 20 : 0);
        out.insert(out.end(), e.name.begin(), e.name.end());
        if (e.zip64_local) {
            put_le16(out, 1);
            put_le16(out, 16);
            put_le32(out, uint32_t(e.body.size())); put_le32(out, 0);
            put_le32(out, uint32_t(data.size())); put_le32(out, 0);
        }
        out.insert(out.end(), data.begin(), data.end());
        put_le32(cd, 0x02014b50);
        put_le16(cd, 20);
        put_le16(cd, 20);
        put_le16(cd, 0);
        put_le16(cd, e.method);
        put_le16(cd, 0);
        put_le16(cd, 0x21);
        put_le32(cd, crc);
        put_le32(cd, uint32_t(data.size()));
        put_le32(cd, uint32_t(e.body.size()));
        put_le16(cd, uint16_t(e.name.size()));
        put_le16(cd, 0);
        put_le16(cd, 0);
        put_le16(cd, 0);
        put_le16(cd, 0);
        put_le32(cd, 0);
        put_le32(cd, off);
        cd.insert(cd.end(), e.name.begin(), e.name.end());
    }
    uint32_t cd_off = uint32_t(out.size());
    out.insert(out.end(), cd.begin(), cd.end());
    put_le32(out, 0x06054b50);
    put_le16(out, 0);
    put_le16(out, 0);
    put_le16(out, uint16_t(entries.size()));
    put_le16(out, uint16_t(entries.size()));
    put_le32(out, uint32_t(cd.size()));
    put_le32(out, cd_off);
    put_le16(out, 0);
    return out;
}

std::vector<NpyTensor> read(const Bytes& b) { return lenet::npz_read(b.data(), b.size(), "w.npz"); }

}  // namespace

TEST_SUITE("npz") {

TEST_CASE("npz: .npy bytes are what numpy writes") {
    NpyTensor t = make("C1.bias", {6});
    Bytes b = lenet::npy_write(t);
    REQUIRE(b.size() > 10);
    CHECK(std::memcmp(b.data(), "\x93NUMPY\x01\x00", 8) == 0);
    size_t hlen = size_t(b[8]) | size_t(b[9]) << 8;
    CHECK((10 + hlen) % 64 == 0);  // header padded to 64 bytes
    std::string header(b.begin() + 10, b.begin() + 10 + long(hlen));
    CHECK(contains(header, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }"));
    CHECK(header.back() == '\n');
    CHECK(b.size() == 10 + hlen + 6 * 4);
    auto header_of = [](const NpyTensor& x) {
        Bytes bytes = lenet::npy_write(x);
        return std::string(bytes.begin() + 10, bytes.begin() + 10 + long(size_t(bytes[8]) | size_t(bytes[9]) << 8));
    };
    CHECK(contains(header_of(make("w", {6, 1, 5, 5})), "'shape': (6, 1, 5, 5), }"));
    CHECK(contains(header_of(make("s", {})), "'shape': (), }"));
    NpyTensor wrong = make("x", {2, 3});
    wrong.data.pop_back();
    CHECK_LENET_ERROR(lenet::npy_write(wrong), ErrorKind::Shape, "does not match");
}

TEST_CASE("npz: .npy round trips and float64 input") {
    for (auto shape : std::vector<std::vector<int64_t>>{{}, {1}, {6}, {10, 84}, {16, 6, 5, 5}, {0}, {2, 0, 3}}) {
        NpyTensor t = make("t", shape);
        Bytes b = lenet::npy_write(t);
        NpyTensor r = lenet::npy_read(b.data(), b.size(), "t.npy");
        CHECK(r.shape == t.shape);
        CHECK(r.data == t.data);
    }
    // '<f8' (PyTorch float64 tensors saved as is) is converted; version 2.0 headers are accepted.
    Bytes d;
    for (double v : {1.5, -2.25, 1e-3}) {
        uint64_t u;
        std::memcpy(&u, &v, 8);
        for (int i = 0; i < 8; i++) d.push_back(uint8_t(u >> (8 * i)));
    }
    Bytes b = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", d, 2);
    NpyTensor r = lenet::npy_read(b.data(), b.size(), "d.npy");
    REQUIRE(r.data.size() == 3);
    CHECK(r.data[0] == 1.5f);
    CHECK(r.data[1] == -2.25f);
    CHECK(r.data[2] == doctest::Approx(1e-3));
    // Keys in another order, double quotes, Python 2 longs: still a dict.
    Bytes c = npy("{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<f4\"}", f32({1, 2}));
    CHECK(lenet::npy_read(c.data(), c.size(), "c.npy").shape == std::vector<int64_t>{1, 2});
}

TEST_CASE("npz: bad .npy arrays") {
    const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    auto bad = [](const Bytes& b) { return lenet::npy_read(b.data(), b.size(), "x.npy"); };
    Bytes good = npy(ok, f32({1, 2}));
    CHECK(bad(good).data.size() == 2);
    CHECK_LENET_ERROR(bad(Bytes{}), ErrorKind::Format, "truncated");
    CHECK_LENET_ERROR(bad(prefix(good, 4)), ErrorKind::Format, "npy magic");
    CHECK_LENET_ERROR(bad(prefix(good, 6)), ErrorKind::Format, "npy version");
    CHECK_LENET_ERROR(bad(prefix(good, 9)), ErrorKind::Format, "npy header length");
    CHECK_LENET_ERROR(bad(prefix(good, 30)), ErrorKind::Format, "npy header");
    CHECK_LENET_ERROR(bad(prefix(good, good.size() - 1)), ErrorKind::Format, "truncated");
    Bytes extra = good;
    extra.push_back(0);
    CHECK_LENET_ERROR(bad(extra), ErrorKind::Format, "remain");
    Bytes magic = good;
    magic[1] = 'X';
    CHECK_LENET_ERROR(bad(magic), ErrorKind::Format, "bad magic");
    CHECK_LENET_ERROR(bad(npy(ok, f32({1, 2}), 9)), ErrorKind::Format, "version 9");
    CHECK_LENET_ERROR(bad(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f32({1, 2}))), ErrorKind::Format, "'>f4' is not supported");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", f32({1, 2}))), ErrorKind::Format, "not supported");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", f32({1, 2}))), ErrorKind::Format, "fortran_order");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'shape': (2,), }", f32({1, 2}))), ErrorKind::Format, "lacks");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", f32({1, 2}))), ErrorKind::Format, "bad npy header");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", f32({1, 2}))), ErrorKind::Format, "bad npy header");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32({1, 2}))), ErrorKind::Format, "needs 24 data bytes");
    // 2^40 x 2^40 elements: refused before any allocation.
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", {})),
                      ErrorKind::Format, "absurdly large");
    CHECK_LENET_ERROR(bad(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", {})),
                      ErrorKind::Format, "too large");
    Bytes long_header = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F};
    CHECK_LENET_ERROR(bad(long_header), ErrorKind::Format, "absurd");
}

TEST_CASE("npz: archive round trip, zip structure and CRCs") {
    std::vector<NpyTensor> in = {make("C1.weight", {6, 1, 5, 5}), make("C1.bias", {6}), make("OUTPUT.prototypes", {10, 84})};
    Bytes z = lenet::npz_write(in);
    std::vector<NpyTensor> out = read(z);
    REQUIRE(out.size() == 3);
    for (size_t i = 0; i < 3; i++) {
        CHECK(out[i].name == in[i].name);
        CHECK(out[i].shape == in[i].shape);
        CHECK(out[i].data == in[i].data);
    }
    // First local header: signature, STORED, the CRC of its .npy body as an independent CRC computes it.
    CHECK(get_le32(z, 0) == 0x04034b50u);
    CHECK((z[8] | z[9] << 8) == 0);
    size_t nlen = size_t(z[26] | z[27] << 8);
    CHECK(std::string(z.begin() + 30, z.begin() + 30 + long(nlen)) == "C1.weight.npy");
    Bytes body = lenet::npy_write(in[0]);
    CHECK(get_le32(z, 14) == crc32_slow(body));
    CHECK(std::equal(body.begin(), body.end(), z.begin() + 30 + long(nlen)));
    // The end record counts 3 entries; writing twice gives identical bytes (fixed timestamp).
    CHECK((z[z.size() - 12] | z[z.size() - 11] << 8) == 3);
    CHECK(lenet::npz_write(in) == z);
    CHECK(read(lenet::npz_write({})).empty());
    CHECK_LENET_ERROR(lenet::npz_write({make("a", {1}), make("a", {2})}), ErrorKind::Usage, "duplicate");
}

TEST_CASE("npz: archives shaped like numpy's and PyTorch users'") {
    NpyTensor a = make("F6.weight", {84, 120}), b = make("F6.bias", {84});
    SUBCASE("np.savez: zip64 extra in the local headers") {
        Bytes z = zip({{"F6.weight.npy", lenet::npy_write(a), 0, true}, {"F6.bias.npy", lenet::npy_write(b), 0, true}});
        std::vector<NpyTensor> r = read(z);
        REQUIRE(r.size() == 2);
        CHECK(r[0].data == a.data);
        CHECK(r[1].name == "F6.bias");
    }
    SUBCASE("np.savez_compressed: deflated entries") {
        Bytes z = zip({{"F6.weight.npy", lenet::npy_write(a), 8, false}});
        if (lenet::io_has_zlib()) {
            CHECK(read(z)[0].data == a.data);
        } else {
            CHECK_LENET_ERROR(read(z), ErrorKind::Format, "no zlib");
        }
    }
    SUBCASE("a zip comment after the end record") {
        Bytes z = zip({{"F6.bias.npy", lenet::npy_write(b)}});
        z[z.size() - 2] = 5;
        for (char c : std::string("hello")) z.push_back(uint8_t(c));
        CHECK(read(z).size() == 1);
    }
}

TEST_CASE("npz: malformed archives") {
    NpyTensor b = make("F6.bias", {84});
    const Bytes good = zip({{"F6.bias.npy", lenet::npy_write(b)}});
    REQUIRE(read(good).size() == 1);
    CHECK_LENET_ERROR(read(Bytes{}), ErrorKind::Format, "empty file");
    CHECK_LENET_ERROR(read(prefix(good, 10)), ErrorKind::Format, "too short");
    Bytes not_zip(100, 'x');
    CHECK_LENET_ERROR(read(not_zip), ErrorKind::Format, "bad magic");
    CHECK_LENET_ERROR(read(prefix(good, good.size() - 1)), ErrorKind::Format, "end-of-central-directory");
    CHECK_LENET_ERROR(read(prefix(good, good.size() / 2)), ErrorKind::Format, "end-of-central-directory");

    SUBCASE("corrupt data: CRC mismatch") {
        Bytes z = good;
        z[200] ^= 0x40;
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "CRC-32 mismatch");
    }
    SUBCASE("directory beyond the end") {
        Bytes z = good;
        set_le32(z, z.size() - 6, 0x7FFFFFF0u);
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "past the end");
    }
    SUBCASE("more entries claimed than present") {
        Bytes z = good;
        z[z.size() - 12] = 2;
        z[z.size() - 14] = 2;
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "truncated");
    }
    SUBCASE("absurd entry count") {
        Bytes z = good;
        z[z.size() - 12] = 0xFE; z[z.size() - 11] = 0xFF;
        z[z.size() - 14] = 0xFE; z[z.size() - 13] = 0xFF;
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "more than the limit");
    }
    SUBCASE("entry size past the end of the file") {
        Bytes z = good;
        size_t cd = get_le32(z, z.size() - 6);
        set_le32(z, cd + 20, 0x00FFFFFFu);  // compressed size
        set_le32(z, cd + 24, 0x00FFFFFFu);
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "past the end");
    }
    SUBCASE("local header offset wrong") {
        Bytes z = good;
        size_t cd = get_le32(z, z.size() - 6);
        set_le32(z, cd + 42, 7);
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "bad local header");
    }
    SUBCASE("unsupported method, encryption") {
        Bytes z = good;
        size_t cd = get_le32(z, z.size() - 6);
        z[cd + 10] = 12;  // bzip2
        CHECK_LENET_ERROR(read(z), ErrorKind::Format, "method 12");
        Bytes e = good;
        e[cd + 8] = 1;
        CHECK_LENET_ERROR(read(e), ErrorKind::Format, "encrypted");
    }
    SUBCASE("duplicate keys, entries that are not arrays") {
        Bytes body = lenet::npy_write(b);
        CHECK_LENET_ERROR(read(zip({{"a.npy", body}, {"a.npy", body}})), ErrorKind::Format, "duplicate key 'a'");
        CHECK_LENET_ERROR(read(zip({{"readme.txt", Bytes{'h', 'i'}}})), ErrorKind::Format, "not a .npy array");
        CHECK_LENET_ERROR(read(zip({{"x.npy", Bytes{'h', 'i'}}})), ErrorKind::Format, "x.npy");
    }
}

}  // TEST_SUITE
