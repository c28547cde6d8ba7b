// io_util.cpp — bounded file reading, atomic writing, CRC-32, gzip/deflate (zlib when available).
#include "io_util.h"

#include "lenet/lenet.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#ifdef LENET_HAVE_ZLIB
#include <zlib.h>
#endif

namespace lenet {
namespace io {

// ---- CRC-32 ---------------------------------------------------------------------------------------
namespace {
struct CrcTable {
    uint32_t t[256];
    CrcTable() {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
    }
};
}  // namespace

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
    static const CrcTable table;
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = table.t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

// ---- files ----------------------------------------------------------------------------------------
bool is_directory(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::FILE* open_file(const std::string& path, size_t max_bytes, size_t* size) {
    if (path.empty()) throw Error(ErrorKind::Io, "argument", "empty file name");
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw Error(ErrorKind::Io, path, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw Error(ErrorKind::Io, path, "is a directory, not a file");
    if (S_ISREG(st.st_mode) && uint64_t(st.st_size) > max_bytes)
        throw Error(ErrorKind::Format, path,
                    "file is " + with_commas(uint64_t(st.st_size)) + " bytes, more than the limit of " +
                        with_commas(max_bytes) + " bytes for this kind of file");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(ErrorKind::Io, path, std::string("cannot open: ") + std::strerror(errno));
    *size = S_ISREG(st.st_mode) ? size_t(st.st_size) : kUnknownSize;
    return f;
}

std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes) {
    size_t size = 0;
    FILE* f = open_file(path, max_bytes, &size);
    std::vector<uint8_t> out;
    if (size != kUnknownSize && size > 0) {
        // The usual case: straight into a buffer of the file's size, no intermediate copy.
        out.resize(size);
        size_t got = std::fread(out.data(), 1, out.size(), f);
        out.resize(got);
        if (got < size && !std::ferror(f)) {  // shrank while we read: what we got is the file
            std::fclose(f);
            return out;
        }
    }
    // Then in chunks, so that a file that grows (or a non-regular file) still cannot pass the limit.
    uint8_t chunk[65536];
    for (;;) {
        size_t got = std::fread(chunk, 1, sizeof chunk, f);
        if (got > 0) {
            if (out.size() + got > max_bytes) {
                std::fclose(f);
                throw Error(ErrorKind::Format, path,
                            "file is larger than the limit of " + with_commas(max_bytes) + " bytes");
            }
            out.insert(out.end(), chunk, chunk + got);
        }
        if (got < sizeof chunk) break;
    }
    bool failed = std::ferror(f) != 0;
    int  err = errno;
    std::fclose(f);
    if (failed) throw Error(ErrorKind::Io, path, std::string("read error: ") + std::strerror(err));
    return out;
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
    if (path.empty()) throw Error(ErrorKind::Io, "argument", "empty file name");
    if (is_directory(path)) throw Error(ErrorKind::Io, path, "is a directory, not a file");
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        // A device or pipe (/dev/null, /dev/stdout, /dev/full): write to it directly. Renaming a
        // temporary file over it would replace the device node itself (as root, /dev/null).
        FILE* d = std::fopen(path.c_str(), "wb");
        if (!d) throw Error(ErrorKind::Io, path, std::string("cannot write: ") + std::strerror(errno));
        bool good = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), d) == bytes.size();
        int  e = errno;
        if (good && std::fflush(d) != 0) { good = false; e = errno; }
        if (std::fclose(d) != 0 && good) { good = false; e = errno; }
        if (!good) throw Error(ErrorKind::Io, path, std::string("write failed: ") + std::strerror(e));
        return;
    }
    std::string tmp = path + ".tmp-" + std::to_string(long(::getpid()));
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(ErrorKind::Io, path, std::string("cannot write: ") + std::strerror(errno));
    bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    int  err = errno;
    if (ok && std::fflush(f) != 0) { ok = false; err = errno; }
#ifndef __EMSCRIPTEN__
    if (ok && ::fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS) { ok = false; err = errno; }
#endif
    if (std::fclose(f) != 0 && ok) { ok = false; err = errno; }
    if (!ok) {
        std::remove(tmp.c_str());
        throw Error(ErrorKind::Io, path, std::string("write failed (the old file is kept): ") + std::strerror(err));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        err = errno;
        std::remove(tmp.c_str());
        throw Error(ErrorKind::Io, path, std::string("cannot replace the file: ") + std::strerror(err));
    }
}

// ---- compression ----------------------------------------------------------------------------------
bool have_zlib() {
#ifdef LENET_HAVE_ZLIB
    return true;
#else
    return false;
#endif
}

#ifdef LENET_HAVE_ZLIB
namespace {
// Inflate with a window mode (16+MAX_WBITS gzip, -MAX_WBITS raw deflate), never producing more than
// max_out bytes. gzip: consecutive members are concatenated (as gunzip does).
std::vector<uint8_t> inflate_bounded(const uint8_t* data, size_t size, int window_bits, size_t max_out,
                                     const std::string& where, bool multi_member) {
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, window_bits) != Z_OK) throw Error(ErrorKind::Format, where, "zlib init failed");
    std::vector<uint8_t> out;
    size_t in_left = size;
    const uint8_t* in = data;
    uint8_t buf[65536];
    int ret = Z_OK;
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            uInt take = in_left > 0x40000000u ? 0x40000000u : uInt(in_left);
            zs.next_in = const_cast<Bytef*>(in);
            zs.avail_in = take;
            in += take;
            in_left -= take;
        }
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        ret = inflate(&zs, Z_NO_FLUSH);
        size_t produced = sizeof buf - zs.avail_out;
        if (out.size() + produced > max_out) {
            inflateEnd(&zs);
            throw Error(ErrorKind::Format, where,
                        "decompressed data is larger than the limit of " + with_commas(max_out) + " bytes");
        }
        out.insert(out.end(), buf, buf + produced);
        if (ret == Z_STREAM_END) {
            bool more = zs.avail_in > 0 || in_left > 0;
            if (multi_member && more) {
                inflateReset(&zs);
                continue;
            }
            if (more && !multi_member) {
                inflateEnd(&zs);
                throw Error(ErrorKind::Format, where, "trailing bytes after the compressed data");
            }
            break;
        }
        if (ret == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) {
            inflateEnd(&zs);
            throw Error(ErrorKind::Format, where, "truncated compressed data");
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            std::string msg = zs.msg ? zs.msg : "error " + std::to_string(ret);
            inflateEnd(&zs);
            throw Error(ErrorKind::Format, where, "corrupt compressed data (" + msg + ")");
        }
        if (zs.avail_in == 0 && in_left == 0 && produced == 0) {
            inflateEnd(&zs);
            throw Error(ErrorKind::Format, where, "truncated compressed data");
        }
    }
    inflateEnd(&zs);
    return out;
}
}  // namespace
#endif

std::vector<uint8_t> gunzip(const uint8_t* data, size_t size, const std::string& where, size_t max_out) {
    if (size < 18 || data[0] != 0x1f || data[1] != 0x8b)
        throw Error(ErrorKind::Format, where, "not a gzip file (bad magic or too short)");
#ifdef LENET_HAVE_ZLIB
    return inflate_bounded(data, size, 16 + MAX_WBITS, max_out, where, true);
#else
    (void)max_out;
    throw Error(ErrorKind::Format, where,
                "gzip-compressed file, but this build has no zlib: decompress it first (gunzip)");
#endif
}

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t out_size, const std::string& where) {
#ifdef LENET_HAVE_ZLIB
    std::vector<uint8_t> out = inflate_bounded(data, size, -MAX_WBITS, out_size, where, false);
    if (out.size() != out_size)
        throw Error(ErrorKind::Format, where,
                    "deflated entry gives " + with_commas(out.size()) + " bytes, expected " + with_commas(out_size));
    return out;
#else
    (void)data; (void)size; (void)out_size;
    throw Error(ErrorKind::Format, where,
                "compressed (deflate) entry, but this build has no zlib: save it uncompressed (np.savez)");
#endif
}

// ---- bounded reader -------------------------------------------------------------------------------
void Reader::need(size_t bytes, const char* what) const {
    if (bytes > n_ - pos_)
        throw Error(ErrorKind::Format, where_,
                    std::string("truncated: ") + what + " needs " + with_commas(bytes) + " bytes at offset " +
                        with_commas(pos_) + ", but only " + with_commas(n_ - pos_) + " remain");
}
uint8_t Reader::u8(const char* what) { need(1, what); return p_[pos_++]; }
uint16_t Reader::u16le(const char* what) {
    need(2, what);
    uint16_t v = uint16_t(p_[pos_] | (p_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
}
uint32_t Reader::u32le(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p_[pos_ + i];
    pos_ += 4;
    return v;
}
uint64_t Reader::u64le(const char* what) {
    need(8, what);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p_[pos_ + i];
    pos_ += 8;
    return v;
}
uint32_t Reader::u32be(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | p_[pos_ + i];
    pos_ += 4;
    return v;
}
const uint8_t* Reader::bytes(size_t count, const char* what) {
    need(count, what);
    const uint8_t* p = p_ + pos_;
    pos_ += count;
    return p;
}
void Reader::seek(size_t pos, const char* what) {
    if (pos > n_)
        throw Error(ErrorKind::Format, where_,
                    std::string("truncated: ") + what + " at offset " + with_commas(pos) + " is past the end (" +
                        with_commas(n_) + " bytes)");
    pos_ = pos;
}

void put_u16le(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}
void put_u32le(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; i++) out.push_back(uint8_t(v >> (8 * i)));
}
void put_u64le(std::vector<uint8_t>& out, uint64_t v) {
    for (int i = 0; i < 8; i++) out.push_back(uint8_t(v >> (8 * i)));
}
void put_bytes(std::vector<uint8_t>& out, const void* data, size_t size) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    out.insert(out.end(), p, p + size);
}

}  // namespace io
}  // namespace lenet
