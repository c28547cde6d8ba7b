// io_fixtures.h — helpers for the file-format tests (idx, npz, weights, images): a temporary folder,
// byte builders, and an independent CRC-32 and gzip writer (stored deflate blocks), so the tests do
// not rely on the engine's own implementations to make their inputs.
#pragma once

#include "lenet/lenet.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace fixtures {

using Bytes = std::vector<uint8_t>;

// CRC-32 bit by bit (no table): independent of the engine's table-driven one.
inline uint32_t crc32_slow(const uint8_t* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}
inline uint32_t crc32_slow(const Bytes& b) { return crc32_slow(b.data(), b.size()); }

inline void put_be32(Bytes& b, uint32_t v) {
    for (int i = 3; i >= 0; i--) b.push_back(uint8_t(v >> (8 * i)));
}
inline void put_le16(Bytes& b, uint16_t v) {
    b.push_back(uint8_t(v));
    b.push_back(uint8_t(v >> 8));
}
inline void put_le32(Bytes& b, uint32_t v) {
    for (int i = 0; i < 4; i++) b.push_back(uint8_t(v >> (8 * i)));
}
inline uint32_t get_le32(const Bytes& b, size_t at) {
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
inline void set_le32(Bytes& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

// Raw deflate made of stored blocks (BTYPE 00): valid input for any inflater.
inline Bytes deflate_stored(const Bytes& data) {
    Bytes out;
    size_t pos = 0;
    do {
        size_t n = std::min<size_t>(65535, data.size() - pos);
        bool last = pos + n == data.size();
        out.push_back(last ? 1 : 0);
        put_le16(out, uint16_t(n));
        put_le16(out, uint16_t(~n));
        out.insert(out.end(), data.begin() + long(pos), data.begin() + long(pos + n));
        pos += n;
    } while (pos < data.size());
    return out;
}

// A gzip member (RFC 1952) around stored deflate blocks.
inline Bytes gzip_stored(const Bytes& data) {
    Bytes out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    Bytes body = deflate_stored(data);
    out.insert(out.end(), body.begin(), body.end());
    put_le32(out, crc32_slow(data));
    put_le32(out, uint32_t(data.size()));
    return out;
}

// idx files: images (n, rows, cols) and labels.
inline Bytes idx_images(uint32_t n, uint32_t rows, uint32_t cols, const Bytes& pixels) {
    Bytes b;
    put_be32(b, 0x00000803);
    put_be32(b, n);
    put_be32(b, rows);
    put_be32(b, cols);
    b.insert(b.end(), pixels.begin(), pixels.end());
    return b;
}
inline Bytes idx_labels(uint32_t n, const Bytes& labels) {
    Bytes b;
    put_be32(b, 0x00000801);
    put_be32(b, n);
    b.insert(b.end(), labels.begin(), labels.end());
    return b;
}

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "lenet-test-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        REQUIRE(mkdtemp(buf.data()) != nullptr);
        path = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
    std::string write(const std::string& name, const Bytes& bytes) const {
        std::string p = file(name);
        FILE* f = std::fopen(p.c_str(), "wb");
        REQUIRE(f != nullptr);
        if (!bytes.empty()) REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
        std::fclose(f);
        return p;
    }
};

inline Bytes read_all(const std::string& path) {
    Bytes b;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return b;
    int c;
    while ((c = std::fgetc(f)) != EOF) b.push_back(uint8_t(c));
    std::fclose(f);
    return b;
}

inline Bytes prefix(const Bytes& b, size_t n) { return Bytes(b.begin(), b.begin() + long(std::min(n, b.size()))); }

// The error a call throws, or a default (kind Usage, empty message) with `thrown` false.
struct Caught {
    bool              thrown = false;
    lenet::ErrorKind  kind = lenet::ErrorKind::Usage;
    std::string       what;
};
template <typename F>
Caught catch_error(F&& f) {
    Caught c;
    try {
        f();
    } catch (const lenet::Error& e) {
        c.thrown = true;
        c.kind = e.kind();
        c.what = e.what();
    }
    return c;
}

inline bool contains(const std::string& s, const std::string& frag) { return s.find(frag) != std::string::npos; }

}  // namespace fixtures

// The call throws lenet::Error of `kind` whose message contains `fragment`.
#define CHECK_LENET_ERROR(call, error_kind, fragment)                                              \
    do {                                                                                           \
        fixtures::Caught caught_ = fixtures::catch_error([&] { (void)(call); });                   \
        CHECK_MESSAGE(caught_.thrown, "expected an error from: " #call);                           \
        CHECK_MESSAGE(caught_.kind == (error_kind), "kind " << lenet::error_kind_name(caught_.kind) \
                                                             << ": " << caught_.what);             \
        CHECK_MESSAGE(fixtures::contains(caught_.what, fragment),                                  \
                      "message '" << caught_.what << "' lacks '" << (fragment) << "'");            \
    } while (0)
