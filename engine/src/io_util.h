// io_util.h — internal helpers for the engine's file formats (idx, npz, native weights, images).
//
// Not part of the public API. Everything here is bounded: no function allocates more than the limit
// its caller passes, whatever a file's header claims, and every failure is a lenet::Error naming the
// file ("where") and the problem. zlib is used only when LENET_HAVE_ZLIB is defined (native builds);
// the web build gets already-decompressed files and a clear error otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lenet {
namespace io {

constexpr size_t kMiB = size_t(1) << 20;

// CRC-32 (IEEE 802.3, the one zip and gzip use). Pass the previous value to continue a running CRC.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

// Opens a file to read, with read_file's checks and errors; *size is its length, or kUnknownSize
// when it is not a regular file (a pipe). The caller fcloses it.
constexpr size_t kUnknownSize = ~size_t(0);
std::FILE* open_file(const std::string& path, size_t max_bytes, size_t* size);

// Whole file into memory. Errors: Io (missing, unreadable, a directory), Format (larger than max_bytes;
// nothing that large is allocated).
std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes);

// Writes to "<path>.tmp-XXXX" in the same folder, flushes, then renames over path, so a failed write
// (full disk, no permission) never leaves a truncated file at path. Throws Error(Io).
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);
bool ends_with(const std::string& s, const std::string& suffix);

// True when the build can decompress (zlib linked in).
bool have_zlib();
// gzip (.gz, one or more members) -> bytes; Format error on corrupt data or output beyond max_out.
std::vector<uint8_t> gunzip(const uint8_t* data, size_t size, const std::string& where, size_t max_out);
// Raw deflate (zip method 8) with a known output size; Format error unless exactly `out_size` bytes.
std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t out_size, const std::string& where);

// Little/big-endian readers over a bounded buffer. Every read checks the remaining length and throws
// Error(Format, where, "truncated: <what> ...") when the data ends early.
class Reader {
public:
    Reader(const uint8_t* data, size_t size, const std::string& where) : p_(data), n_(size), where_(where) {}
    size_t   pos() const { return pos_; }
    size_t   remaining() const { return n_ - pos_; }
    const uint8_t* here() const { return p_ + pos_; }
    void     need(size_t bytes, const char* what) const;
    uint8_t  u8(const char* what);
    uint16_t u16le(const char* what);
    uint32_t u32le(const char* what);
    uint64_t u64le(const char* what);
    uint32_t u32be(const char* what);
    const uint8_t* bytes(size_t count, const char* what);  // pointer into the buffer, advanced
    void     seek(size_t pos, const char* what);
private:
    const uint8_t* p_;
    size_t         n_, pos_ = 0;
    std::string    where_;
};

void put_u16le(std::vector<uint8_t>& out, uint16_t v);
void put_u32le(std::vector<uint8_t>& out, uint32_t v);
void put_u64le(std::vector<uint8_t>& out, uint64_t v);
void put_bytes(std::vector<uint8_t>& out, const void* data, size_t size);

}  // namespace io
}  // namespace lenet
