// npz.cpp — NumPy .npy arrays and .npz archives (a zip of .npy files), enough for weights exchange
// with PyTorch (np.savez / np.load / np.savez_compressed).
//
// Writing: .npy version 1.0, descr '<f4', C order, header padded to a multiple of 64 bytes; the .npz
// is a plain zip with STORED entries, CRC-32 set, a fixed 1980-01-01 timestamp (reproducible bytes).
// Reading: STORED entries, and deflated ones when zlib is available (np.savez_compressed); zip64
// extra fields as numpy writes them; descr '<f4' or '<f8' (converted to float32), fortran_order False.
// Everything is bounds-checked: a size field pointing past the end, a CRC mismatch, a shape whose
// product does not match the data, an entry count or size over the limits each give Error(Format).
#include "lenet/lenet.h"

#include "io_util.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <set>

namespace lenet {

namespace {

constexpr size_t   kMaxNpzEntries = 4096;
constexpr size_t   kMaxNpzTotal = kMaxWeightsBytes;  // all entries uncompressed
constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01

// ---- .npy header: a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (6, 1, 5, 5), }
struct NpyHeader {
    std::string          descr;
    bool                 fortran = false;
    std::vector<int64_t> shape;
    bool                 has_descr = false, has_fortran = false, has_shape = false;
};

class DictParser {
public:
    DictParser(const std::string& s, const std::string& where) : s_(s), where_(where) {}

    NpyHeader parse() {
        NpyHeader h;
        ws();
        expect('{');
        for (;;) {
            ws();
            if (peek() == '}') { i_++; break; }
            std::string key = str();
            ws();
            expect(':');
            ws();
            if (key == "descr") {
                h.descr = str();
                h.has_descr = true;
            } else if (key == "fortran_order") {
                h.fortran = boolean();
                h.has_fortran = true;
            } else if (key == "shape") {
                h.shape = tuple();
                h.has_shape = true;
            } else {
                skip_value();
            }
            ws();
            if (peek() == ',') { i_++; continue; }
            ws();
            if (peek() == '}') { i_++; break; }
            fail("expected ',' or '}'");
        }
        ws();
        if (i_ != s_.size()) fail("unexpected text after the header dict");
        if (!h.has_descr || !h.has_fortran || !h.has_shape)
            throw Error(ErrorKind::Format, where_, "npy header lacks 'descr', 'fortran_order' or 'shape'");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        throw Error(ErrorKind::Format, where_, "bad npy header at character " + std::to_string(i_) + ": " + what);
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void ws() { while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) i_++; }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        i_++;
    }
    std::string str() {
        char q = peek();
        if (q != '\'' && q != '"') fail("expected a quoted string");
        i_++;
        std::string out;
        while (i_ < s_.size() && s_[i_] != q) {
            if (out.size() > 256) fail("string too long");
            out += s_[i_++];
        }
        expect(q);
        return out;
    }
    bool boolean() {
        if (s_.compare(i_, 4, "True") == 0) { i_ += 4; return true; }
        if (s_.compare(i_, 5, "False") == 0) { i_ += 5; return false; }
        fail("expected True or False");
    }
    std::vector<int64_t> tuple() {
        expect('(');
        std::vector<int64_t> dims;
        for (;;) {
            ws();
            if (peek() == ')') { i_++; break; }
            if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a dimension");
            int64_t v = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                v = v * 10 + (s_[i_++] - '0');
                if (v > (int64_t(1) << 40)) fail("dimension too large");
            }
            if (peek() == 'L') i_++;  // Python 2 long suffix
            if (dims.size() >= 16) fail("more than 16 dimensions");
            dims.push_back(v);
            ws();
            if (peek() == ',') { i_++; continue; }
            ws();
            if (peek() == ')') { i_++; break; }
            fail("expected ',' or ')'");
        }
        return dims;
    }
    void skip_value() {
        char c = peek();
        if (c == '\'' || c == '"') { str(); return; }
        if (c == '(') { tuple(); return; }
        while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}') i_++;
    }

    const std::string& s_;
    const std::string& where_;
    size_t i_ = 0;
};

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

}  // namespace

std::vector<uint8_t> npy_write(const NpyTensor& t) {
    int64_t count = 1;
    for (int64_t d : t.shape) count *= d;
    if (size_t(count) != t.data.size())
        throw Error(ErrorKind::Shape, t.name, "shape " + shape_text(t.shape) + " does not match " +
                                                  std::to_string(t.data.size()) + " values");
    // Python's tuple repr, as numpy writes it: "()", "(6,)", "(6, 1, 5, 5)".
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    for (size_t i = 0; i < t.shape.size(); i++) dict += (i ? ", " : "") + std::to_string(t.shape[i]);
    if (t.shape.size() == 1) dict += ",";
    dict += "), }";
    // magic(6) + version(2) + header_len(2) + dict + padding + '\n' is a multiple of 64.
    size_t total = 10 + dict.size() + 1;
    size_t pad = (64 - total % 64) % 64;
    dict.append(pad, ' ');
    dict += '\n';
    std::vector<uint8_t> out;
    out.reserve(10 + dict.size() + t.data.size() * 4);
    const uint8_t magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    io::put_bytes(out, magic, 8);
    io::put_u16le(out, uint16_t(dict.size()));
    io::put_bytes(out, dict.data(), dict.size());
    for (float f : t.data) {
        uint32_t u;
        std::memcpy(&u, &f, 4);
        io::put_u32le(out, u);
    }
    return out;
}

NpyTensor npy_read(const uint8_t* bytes, size_t size, const std::string& where) {
    io::Reader r(bytes, size, where);
    const uint8_t* magic = r.bytes(6, "the npy magic");
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw Error(ErrorKind::Format, where, "not a .npy array (bad magic)");
    uint8_t major = r.u8("the npy version");
    r.u8("the npy version");
    size_t hlen;
    if (major == 1) hlen = r.u16le("the npy header length");
    else if (major == 2 || major == 3) hlen = r.u32le("the npy header length");
    else throw Error(ErrorKind::Format, where, "unsupported npy version " + std::to_string(major));
    if (hlen > 65536) throw Error(ErrorKind::Format, where, "npy header length " + with_commas(hlen) + " is absurd");
    const uint8_t* hp = r.bytes(hlen, "the npy header");
    std::string header(reinterpret_cast<const char*>(hp), hlen);
    NpyHeader h = DictParser(header, where).parse();
    if (h.fortran) throw Error(ErrorKind::Format, where, "fortran_order arrays are not supported (save C order)");
    size_t item;
    if (h.descr == "<f4") item = 4;
    else if (h.descr == "<f8") item = 8;
    else
        throw Error(ErrorKind::Format, where,
                    "dtype '" + h.descr + "' is not supported (little-endian float32 '<f4' or float64 '<f8')");
    uint64_t count = 1;
    for (int64_t d : h.shape) {
        if (d != 0 && count > (uint64_t(1) << 40) / uint64_t(d))
            throw Error(ErrorKind::Format, where, "shape " + shape_text(h.shape) + " is absurdly large");
        count *= uint64_t(d);
    }
    if (count * item != r.remaining())
        throw Error(ErrorKind::Format, where,
                    "shape " + shape_text(h.shape) + " needs " + with_commas(count * item) + " data bytes, but " +
                        with_commas(r.remaining()) + " remain" + (count * item > r.remaining() ? " (truncated)" : ""));
    NpyTensor t;
    t.shape = h.shape;
    t.data.resize(size_t(count));
    const uint8_t* p = r.here();
    for (size_t i = 0; i < count; i++) {
        if (item == 4) {
            uint32_t u = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
            std::memcpy(&t.data[i], &u, 4);
        } else {
            uint64_t u = 0;
            for (int k = 7; k >= 0; k--) u = (u << 8) | p[k];
            double d;
            std::memcpy(&d, &u, 8);
            t.data[i] = float(d);  // beyond float range -> inf, caught by the finite check of loaders
        }
        p += item;
    }
    return t;
}

std::vector<uint8_t> npz_write(const std::vector<NpyTensor>& tensors, const std::string& comment) {
    std::vector<uint8_t> out, central;
    std::set<std::string> seen;
    for (const NpyTensor& t : tensors) {
        if (t.name.empty() || t.name.size() > 1000) throw Error(ErrorKind::Usage, "npz", "bad tensor name '" + t.name + "'");
        if (!seen.insert(t.name).second) throw Error(ErrorKind::Usage, "npz", "duplicate tensor name '" + t.name + "'");
        std::vector<uint8_t> body = npy_write(t);
        std::string name = t.name + ".npy";
        uint32_t crc = io::crc32(body.data(), body.size());
        if (out.size() > 0xFFFFFFF0u || body.size() > 0xFFFFFFF0u)
            throw Error(ErrorKind::Usage, "npz", "archive too large for a plain zip");
        uint32_t offset = uint32_t(out.size());
        // local file header
        io::put_u32le(out, kLocalSig);
        io::put_u16le(out, 20);              // version needed: 2.0
        io::put_u16le(out, 0);               // flags
        io::put_u16le(out, 0);               // method: stored
        io::put_u16le(out, 0);               // time 00:00
        io::put_u16le(out, kDosDate1980);
        io::put_u32le(out, crc);
        io::put_u32le(out, uint32_t(body.size()));
        io::put_u32le(out, uint32_t(body.size()));
        io::put_u16le(out, uint16_t(name.size()));
        io::put_u16le(out, 0);               // extra length
        io::put_bytes(out, name.data(), name.size());
        io::put_bytes(out, body.data(), body.size());
        // central directory entry
        io::put_u32le(central, kCentralSig);
        io::put_u16le(central, 0x031E);      // made by: Unix, 3.0
        io::put_u16le(central, 20);
        io::put_u16le(central, 0);
        io::put_u16le(central, 0);
        io::put_u16le(central, 0);
        io::put_u16le(central, kDosDate1980);
        io::put_u32le(central, crc);
        io::put_u32le(central, uint32_t(body.size()));
        io::put_u32le(central, uint32_t(body.size()));
        io::put_u16le(central, uint16_t(name.size()));
        io::put_u16le(central, 0);           // extra
        io::put_u16le(central, 0);           // comment
        io::put_u16le(central, 0);           // disk
        io::put_u16le(central, 0);           // internal attributes
        io::put_u32le(central, 0600u << 16); // external: -rw-------
        io::put_u32le(central, offset);
        io::put_bytes(central, name.data(), name.size());
    }
    if (tensors.size() > 0xFFFF) throw Error(ErrorKind::Usage, "npz", "too many tensors");
    if (comment.size() > 0xFFFF) throw Error(ErrorKind::Usage, "npz", "archive comment longer than 65,535 bytes");
    uint32_t cd_offset = uint32_t(out.size());
    io::put_bytes(out, central.data(), central.size());
    io::put_u32le(out, kEndSig);
    io::put_u16le(out, 0);
    io::put_u16le(out, 0);
    io::put_u16le(out, uint16_t(tensors.size()));
    io::put_u16le(out, uint16_t(tensors.size()));
    io::put_u32le(out, uint32_t(central.size()));
    io::put_u32le(out, cd_offset);
    io::put_u16le(out, uint16_t(comment.size()));
    io::put_bytes(out, comment.data(), comment.size());
    return out;
}

std::vector<NpyTensor> npz_read(const uint8_t* bytes, size_t size, const std::string& where, std::string* comment) {
    if (size == 0) throw Error(ErrorKind::Format, where, "empty file (0 bytes)");
    if (size < 22) throw Error(ErrorKind::Format, where, "truncated: too short for a zip archive (" + std::to_string(size) + " bytes)");
    if (!(bytes[0] == 'P' && bytes[1] == 'K'))
        throw Error(ErrorKind::Format, where, "not an .npz (zip) archive: bad magic");
    // End of central directory: the last 22 bytes, or earlier if the archive has a comment.
    size_t eocd = size_t(-1);
    size_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
    for (size_t i = size - 22 + 1; i-- > lowest;) {
        if (bytes[i] == 0x50 && bytes[i + 1] == 0x4b && bytes[i + 2] == 0x05 && bytes[i + 3] == 0x06) { eocd = i; break; }
    }
    if (eocd == size_t(-1))
        throw Error(ErrorKind::Format, where, "truncated: no end-of-central-directory record (not a complete zip)");
    if (comment) {  // what the archive's comment field claims, cut to the bytes that are there
        const size_t claimed = size_t(bytes[eocd + 20]) | size_t(bytes[eocd + 21]) << 8;
        comment->assign(reinterpret_cast<const char*>(bytes) + eocd + 22, std::min(claimed, size - eocd - 22));
    }
    io::Reader e(bytes, size, where);
    e.seek(eocd + 4, "the end record");
    uint16_t disk = e.u16le("the disk number"), cd_disk = e.u16le("the directory disk");
    uint64_t entries_here = e.u16le("the entry count");
    uint64_t entries = e.u16le("the entry count");
    uint64_t cd_size = e.u32le("the directory size");
    uint64_t cd_offset = e.u32le("the directory offset");
    if (disk != 0 || cd_disk != 0 || entries_here != entries)
        throw Error(ErrorKind::Format, where, "multi-disk zip archives are not supported");
    if (entries == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
        // zip64: the locator sits just before the end record and points to the zip64 end record.
        if (eocd < 20) throw Error(ErrorKind::Format, where, "truncated: zip64 locator missing");
        io::Reader l(bytes, size, where);
        l.seek(eocd - 20, "the zip64 locator");
        if (l.u32le("the zip64 locator") != kZip64LocatorSig)
            throw Error(ErrorKind::Format, where, "zip64 locator missing");
        l.u32le("the zip64 locator");
        uint64_t z64 = l.u64le("the zip64 end offset");
        if (z64 > size) throw Error(ErrorKind::Format, where, "zip64 end record offset past the end of the file");
        io::Reader z(bytes, size, where);
        z.seek(size_t(z64), "the zip64 end record");
        if (z.u32le("the zip64 end record") != kZip64EndSig) throw Error(ErrorKind::Format, where, "bad zip64 end record");
        z.u64le("the zip64 end record size");
        z.u16le("version");
        z.u16le("version");
        z.u32le("disk");
        z.u32le("disk");
        z.u64le("the entry count");
        entries = z.u64le("the entry count");
        cd_size = z.u64le("the directory size");
        cd_offset = z.u64le("the directory offset");
    }
    if (entries > kMaxNpzEntries)
        throw Error(ErrorKind::Format, where, with_commas(entries) + " entries is more than the limit of " +
                                                  std::to_string(kMaxNpzEntries));
    if (cd_offset > size || cd_size > size - cd_offset)
        throw Error(ErrorKind::Format, where, "truncated: the central directory lies past the end of the file");

    io::Reader cd(bytes, size_t(cd_offset + cd_size), where);
    cd.seek(size_t(cd_offset), "the central directory");
    std::vector<NpyTensor> tensors;
    std::set<std::string> names;
    uint64_t total = 0;
    for (uint64_t k = 0; k < entries; k++) {
        if (cd.u32le("a directory entry") != kCentralSig)
            throw Error(ErrorKind::Format, where, "bad central directory entry " + std::to_string(k));
        cd.u16le("version made by");
        cd.u16le("version needed");
        uint16_t flags = cd.u16le("flags");
        uint16_t method = cd.u16le("method");
        cd.u16le("time");
        cd.u16le("date");
        uint32_t crc = cd.u32le("crc");
        uint64_t csize = cd.u32le("compressed size");
        uint64_t usize = cd.u32le("size");
        uint16_t nlen = cd.u16le("name length");
        uint16_t xlen = cd.u16le("extra length");
        uint16_t clen = cd.u16le("comment length");
        cd.u16le("disk");
        cd.u16le("attributes");
        cd.u32le("attributes");
        uint64_t local = cd.u32le("local header offset");
        const uint8_t* np = cd.bytes(nlen, "an entry name");
        std::string name(reinterpret_cast<const char*>(np), nlen);
        const uint8_t* xp = cd.bytes(xlen, "an entry's extra field");
        cd.bytes(clen, "an entry comment");
        // zip64 extra (id 1): the 64-bit values for the fields that are 0xFFFFFFFF, in this order.
        io::Reader x(xp, xlen, where);
        while (x.remaining() >= 4) {
            uint16_t id = x.u16le("extra id"), len = x.u16le("extra length");
            io::Reader f(x.bytes(len, "an extra field"), len, where);
            if (id != 1) continue;
            if (usize == 0xFFFFFFFF) usize = f.u64le("zip64 size");
            if (csize == 0xFFFFFFFF) csize = f.u64le("zip64 compressed size");
            if (local == 0xFFFFFFFF) local = f.u64le("zip64 offset");
        }
        const std::string ename = where + ": " + name;
        if (flags & 1) throw Error(ErrorKind::Format, ename, "encrypted entries are not supported");
        if (name.size() < 5 || name.compare(name.size() - 4, 4, ".npy") != 0)
            throw Error(ErrorKind::Format, where, "entry '" + name + "' is not a .npy array");
        std::string key = name.substr(0, name.size() - 4);
        if (!names.insert(key).second) throw Error(ErrorKind::Format, where, "duplicate key '" + key + "'");
        if (usize > kMaxNpzTotal || total + usize > kMaxNpzTotal)
            throw Error(ErrorKind::Format, where, "arrays larger than the limit of " + with_commas(kMaxNpzTotal) + " bytes");
        total += usize;
        // local header: only its name/extra lengths matter (sizes may be zip64 placeholders there).
        io::Reader lh(bytes, size, where);
        if (local > size) throw Error(ErrorKind::Format, ename, "truncated: local header offset past the end of the file");
        lh.seek(size_t(local), "a local header");
        if (lh.u32le("a local header") != kLocalSig) throw Error(ErrorKind::Format, ename, "bad local header");
        lh.bytes(22, "a local header");
        uint16_t lnlen = lh.u16le("a local name length"), lxlen = lh.u16le("a local extra length");
        lh.bytes(size_t(lnlen) + lxlen, "a local name");
        if (csize > lh.remaining())
            throw Error(ErrorKind::Format, ename,
                        "truncated: entry data (" + with_commas(csize) + " bytes) runs past the end of the file");
        const uint8_t* data = lh.bytes(size_t(csize), "entry data");
        std::vector<uint8_t> inflated;
        const uint8_t* body = data;
        size_t body_size = size_t(csize);
        if (method == 8) {
            inflated = io::inflate_raw(data, size_t(csize), size_t(usize), ename);
            body = inflated.data();
            body_size = inflated.size();
        } else if (method != 0) {
            throw Error(ErrorKind::Format, ename, "compression method " + std::to_string(method) + " is not supported");
        } else if (csize != usize) {
            throw Error(ErrorKind::Format, ename, "stored entry with different sizes");
        }
        if (io::crc32(body, body_size) != crc) throw Error(ErrorKind::Format, ename, "CRC-32 mismatch (corrupt archive)");
        NpyTensor t = npy_read(body, body_size, ename);
        t.name = key;
        tensors.push_back(std::move(t));
    }
    return tensors;
}

}  // namespace lenet
