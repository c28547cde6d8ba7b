// test_bad_input.cpp — the bad-input table: malformed files and specs of every format the
// engine reads — idx images and labels, .npz/.npy (also as a state_dict with PyTorch's keys), native
// .lenet weights, JSON architecture specs, images — written to disk and loaded the way the CLI and
// the app load them. For every row:
//   1. the exact lenet::ErrorKind and a fragment of the message (which names the file);
//   2. a bounded amount of memory requested: the suite's counting operator new (alloc_probe.h)
//      sums the bytes requested during the load, which must stay under 8 MiB + 8 x the file's size, whatever the header claims
//      (stb_image and zlib allocate with malloc: their bound is the documented size checks made
//      before decoding, kMaxImageSide and the decompression limits, which rows here exercise);
//   3. a previously loaded network (and data set) is bit-for-bit unchanged afterwards: the loads
//      assign into it (`net = load_weights(p)`) or load in place (`load_npz(net, p)`).
#include "io_fixtures.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <new>

using fixtures::Bytes;
using lenet::ErrorKind;

#include "alloc_probe.h"

namespace {

// ---- byte helpers ---------------------------------------------------------------------------------
void set_be32(Bytes& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) b[at + size_t(i)] = uint8_t(v >> (8 * (3 - i)));
}
void set_le16(Bytes& b, size_t at, uint16_t v) {
    b[at] = uint8_t(v);
    b[at + 1] = uint8_t(v >> 8);
}
uint16_t get_le16(const Bytes& b, size_t at) { return uint16_t(b[at] | b[at + 1] << 8); }
Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
size_t find(const Bytes& hay, const std::string& needle, size_t from = 0) {
    for (size_t i = from; i + needle.size() <= hay.size(); i++)
        if (std::memcmp(hay.data() + i, needle.data(), needle.size()) == 0) return i;
    FAIL("byte pattern '" << needle << "' not found");
    return 0;
}

// A plain zip of STORED entries, written here (not with the engine's npz_write) so that any entry
// body, name or field can be malformed on purpose. Returns the archive; `central` receives the
// offset of the first central-directory entry and `eocd` that of the end record.
struct Zip {
    Bytes  bytes;
    size_t central = 0, eocd = 0;
};
Zip zip_stored(const std::vector<std::pair<std::string, Bytes>>& entries) {
    Zip z;
    Bytes& out = z.bytes;
    Bytes cd;
    for (const auto& e : entries) {
        const uint32_t crc = fixtures::crc32_slow(e.second);
        const uint32_t off = uint32_t(out.size());
        fixtures::put_le32(out, 0x04034b50);
        fixtures::put_le16(out, 20); fixtures::put_le16(out, 0); fixtures::put_le16(out, 0);
        fixtures::put_le16(out, 0); fixtures::put_le16(out, 0x21);
        fixtures::put_le32(out, crc);
        fixtures::put_le32(out, uint32_t(e.second.size()));
        fixtures::put_le32(out, uint32_t(e.second.size()));
        fixtures::put_le16(out, uint16_t(e.first.size()));
        fixtures::put_le16(out, 0);
        out.insert(out.end(), e.first.begin(), e.first.end());
        out.insert(out.end(), e.second.begin(), e.second.end());
        fixtures::put_le32(cd, 0x02014b50);
        fixtures::put_le16(cd, 20); fixtures::put_le16(cd, 20); fixtures::put_le16(cd, 0); fixtures::put_le16(cd, 0);
        fixtures::put_le16(cd, 0); fixtures::put_le16(cd, 0x21);
        fixtures::put_le32(cd, crc);
        fixtures::put_le32(cd, uint32_t(e.second.size()));
        fixtures::put_le32(cd, uint32_t(e.second.size()));
        fixtures::put_le16(cd, uint16_t(e.first.size()));
        fixtures::put_le16(cd, 0); fixtures::put_le16(cd, 0); fixtures::put_le16(cd, 0); fixtures::put_le16(cd, 0);
        fixtures::put_le32(cd, 0);
        fixtures::put_le32(cd, off);
        cd.insert(cd.end(), e.first.begin(), e.first.end());
    }
    z.central = out.size();
    out.insert(out.end(), cd.begin(), cd.end());
    z.eocd = out.size();
    fixtures::put_le32(out, 0x06054b50);
    fixtures::put_le16(out, 0); fixtures::put_le16(out, 0);
    fixtures::put_le16(out, uint16_t(entries.size())); fixtures::put_le16(out, uint16_t(entries.size()));
    fixtures::put_le32(out, uint32_t(cd.size()));
    fixtures::put_le32(out, uint32_t(z.central));
    fixtures::put_le16(out, 0);
    return z;
}

// A .npy with a given header dict (padded as numpy does) and raw data bytes.
Bytes npy_raw(const std::string& dict, const Bytes& data, uint8_t major = 1) {
    std::string h = dict;
    const size_t pre = major == 1 ? 10 : 12;
    while ((pre + h.size() + 1) % 64) h += ' ';
    h += '\n';
    Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
    if (major == 1) fixtures::put_le16(b, uint16_t(h.size()));
    else fixtures::put_le32(b, uint32_t(h.size()));
    return cat(cat(b, text(h)), data);
}

// The network's tensors as (name.npy, npy bytes) zip entries; `edit` may change them first.
std::vector<std::pair<std::string, Bytes>> npz_entries(const lenet::Network& net,
                                                       const std::function<void(std::vector<lenet::NpyTensor>&)>& edit = {}) {
    std::vector<lenet::NpyTensor> ts = lenet::get_tensors(net);
    if (edit) edit(ts);
    std::vector<std::pair<std::string, Bytes>> e;
    for (const lenet::NpyTensor& t : ts) e.push_back({t.name + ".npy", lenet::npy_write(t)});
    return e;
}

// Native .lenet layout (docs/file-formats.md), walked independently of the reader: offsets of each
// header field and of every tensor's fields.
struct NativeMap {
    size_t json_len_at = 12, json_at = 16, json_len = 0, count_at = 0;
    struct T { std::string name; size_t nlen_at, name_at, ndim_at, dims_at, data_at, count; };
    std::vector<T> tensors;
    size_t crc_at = 0;
};
NativeMap native_map(const Bytes& b) {
    NativeMap m;
    m.json_len = fixtures::get_le32(b, 12);
    m.count_at = 16 + m.json_len;
    const uint32_t n = fixtures::get_le32(b, m.count_at);
    size_t p = m.count_at + 4;
    for (uint32_t k = 0; k < n; k++) {
        NativeMap::T t;
        t.nlen_at = p;
        const uint16_t nlen = get_le16(b, p);
        t.name_at = p + 2;
        t.name.assign(reinterpret_cast<const char*>(&b[t.name_at]), nlen);
        t.ndim_at = t.name_at + nlen;
        const uint8_t ndim = b[t.ndim_at];
        t.dims_at = t.ndim_at + 1;
        t.count = 1;
        for (uint8_t d = 0; d < ndim; d++) t.count *= fixtures::get_le32(b, t.dims_at + 4 * d);
        t.data_at = t.dims_at + 4 * size_t(ndim);
        p = t.data_at + 4 * t.count;
        m.tensors.push_back(t);
    }
    m.crc_at = p;
    REQUIRE(m.crc_at + 4 == b.size());
    return m;
}
const NativeMap::T& tensor_at(const NativeMap& m, const std::string& name) {
    for (const auto& t : m.tensors)
        if (t.name == name) return t;
    FAIL("no tensor " << name);
    return m.tensors.front();
}
Bytes with_crc(Bytes b) {  // recompute the trailer after an edit, so the edit itself is what fails
    const uint32_t crc = fixtures::crc32_slow(b.data(), b.size() - 4);
    fixtures::set_le32(b, b.size() - 4, crc);
    return b;
}
void set_f32(Bytes& b, size_t at, float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    fixtures::set_le32(b, at, u);
}

// A PNG chunk (length, type, data, CRC over type and data).
Bytes png_chunk(const std::string& type, const Bytes& data) {
    Bytes c;
    fixtures::put_be32(c, uint32_t(data.size()));
    Bytes td = cat(text(type), data);
    c.insert(c.end(), td.begin(), td.end());
    fixtures::put_be32(c, fixtures::crc32_slow(td));
    return c;
}
Bytes png_header(uint32_t w, uint32_t h) {
    Bytes sig = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    Bytes ihdr;
    fixtures::put_be32(ihdr, w);
    fixtures::put_be32(ihdr, h);
    ihdr.push_back(8);  // bit depth
    ihdr.push_back(0);  // grayscale
    ihdr.push_back(0); ihdr.push_back(0); ihdr.push_back(0);
    return cat(sig, png_chunk("IHDR", ihdr));
}

// ---- the table ------------------------------------------------------------------------------------
enum class Fmt { IdxImages, IdxLabels, Npz, StateDict, Native, Arch, Image };
enum class Special { None, Directory, Missing };

struct Row {
    std::string name;
    Fmt         fmt;
    Bytes       bytes;
    ErrorKind   kind;
    std::string fragment;
    Special     special = Special::None;
};

struct World {  // what the app has loaded before the bad file arrives
    fixtures::TempDir dir;
    lenet::Network    net{lenet::arch_preset("lenet5")};
    lenet::Network    paper{lenet::arch_preset("lenet5-1998")};
    lenet::Network    tiny{lenet::arch_from_json(R"({"name": "tiny", "input": [1, 12, 12], "loss": "mse",
      "layers": [{"name": "C1", "type": "conv", "maps": 2, "kernel": 3, "activation": "tanh"},
                 {"name": "S2", "type": "pool", "mode": "subsample", "size": 2, "activation": "tanh"},
                 {"name": "C3", "type": "conv", "maps": 3, "kernel": 3, "table": [[1, 0, 1], [0, 1, 1]]},
                 {"name": "F4", "type": "full", "units": 10}]})", "tiny")};
    Bytes             good_images, good_labels;
    lenet::Dataset    data;
    World() {
        net.init(5);
        paper.init(6);
        tiny.init(7);
        Bytes px(3 * 28 * 28);
        for (size_t i = 0; i < px.size(); i++) px[i] = uint8_t(i * 7);
        good_images = fixtures::idx_images(3, 28, 28, px);
        good_labels = fixtures::idx_labels(3, {1, 2, 3});
        data = lenet::load_idx(dir.write("good-images", good_images), dir.write("good-labels", good_labels));
    }
};

std::vector<Row> make_rows(World& w) {
    std::vector<Row> rows;
    auto add = [&](std::string name, Fmt f, Bytes b, ErrorKind k, std::string frag, Special s = Special::None) {
        rows.push_back({std::move(name), f, std::move(b), k, std::move(frag), s});
    };
    const Bytes& img = w.good_images;
    const Bytes& lab = w.good_labels;

    // ---- idx images: truncated at every header field, wrong magic, absurd and zero sizes
    add("idx images: zero-byte file", Fmt::IdxImages, {}, ErrorKind::Format, "empty file");
    add("idx images: truncated in the magic", Fmt::IdxImages, fixtures::prefix(img, 2), ErrorKind::Format, "truncated: the magic number");
    add("idx images: truncated in the count", Fmt::IdxImages, fixtures::prefix(img, 6), ErrorKind::Format, "truncated: the image count");
    add("idx images: truncated in the rows", Fmt::IdxImages, fixtures::prefix(img, 10), ErrorKind::Format, "truncated: the row count");
    add("idx images: truncated in the columns", Fmt::IdxImages, fixtures::prefix(img, 14), ErrorKind::Format, "truncated: the column count");
    add("idx images: truncated in the pixels", Fmt::IdxImages, fixtures::prefix(img, 16 + 100), ErrorKind::Format, "truncated or wrong header");
    add("idx images: extra bytes after the pixels", Fmt::IdxImages, cat(img, {1, 2, 3}), ErrorKind::Format, "extra bytes at the end");
    add("idx images: a labels file given as images", Fmt::IdxImages, lab, ErrorKind::Format, "this is a labels file");
    {
        Bytes b = img;
        set_be32(b, 0, 0x00000D03);  // float elements
        add("idx images: element type float, not ubyte", Fmt::IdxImages, b, ErrorKind::Format, "is not unsigned byte");
        b = img;
        set_be32(b, 0, 0x89504E47);
        add("idx images: wrong magic (a PNG)", Fmt::IdxImages, b, ErrorKind::Format, "bad magic 0x89504E47");
        b = img;
        set_be32(b, 4, 0x80000000u);
        add("idx images: 2^31 images claimed", Fmt::IdxImages, b, ErrorKind::Format, "absurd image count 2,147,483,648");
        b = img;
        set_be32(b, 4, 0x7FFFFFFFu);
        add("idx images: 2^31-1 images of 28x28 claimed", Fmt::IdxImages, b, ErrorKind::Format, "truncated or wrong header");
        b = img;
        set_be32(b, 8, 0);
        add("idx images: zero rows", Fmt::IdxImages, b, ErrorKind::Format, "image size 0x28 is not in 1..1024");
        b = img;
        set_be32(b, 12, 0xFFFFFFFFu);
        add("idx images: 2^32-1 columns", Fmt::IdxImages, b, ErrorKind::Format, "is not in 1..1024");
        b = img;
        set_be32(b, 4, 0);
        add("idx images: zero images but pixels follow", Fmt::IdxImages, b, ErrorKind::Format, "extra bytes at the end");
        add("idx images: gzip magic, corrupt stream", Fmt::IdxImages, cat({0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, Bytes(40, 0xEE)),
            ErrorKind::Format, "corrupt compressed data");
        add("idx images: gzip member cut short", Fmt::IdxImages, fixtures::prefix(fixtures::gzip_stored(img), 200),
            ErrorKind::Format, "truncated compressed data");
    }
    add("idx images: a directory", Fmt::IdxImages, {}, ErrorKind::Io, "is a directory", Special::Directory);
    add("idx images: no such file", Fmt::IdxImages, {}, ErrorKind::Io, "cannot open", Special::Missing);
    // ---- idx labels
    add("idx labels: zero-byte file", Fmt::IdxLabels, {}, ErrorKind::Format, "empty file");
    add("idx labels: truncated in the count", Fmt::IdxLabels, fixtures::prefix(lab, 7), ErrorKind::Format, "truncated: the label count");
    add("idx labels: an images file given as labels", Fmt::IdxLabels, img, ErrorKind::Format, "this is an images file");
    add("idx labels: label 10", Fmt::IdxLabels, fixtures::idx_labels(3, {1, 10, 3}), ErrorKind::Value, "label 10 of item 1 is not in 0..9");
    add("idx labels: label 255", Fmt::IdxLabels, fixtures::idx_labels(3, {255, 1, 3}), ErrorKind::Value, "label 255 of item 0");
    add("idx labels: 2 labels for 3 images", Fmt::IdxLabels, fixtures::idx_labels(2, {1, 2}), ErrorKind::Format, "2 labels for 3 images");
    add("idx labels: count says 2^31", Fmt::IdxLabels, fixtures::idx_labels(0x80000000u, {1, 2, 3}), ErrorKind::Format, "absurd label count");
    add("idx labels: count larger than the data", Fmt::IdxLabels, fixtures::idx_labels(1000, {1, 2, 3}), ErrorKind::Format, "truncated or wrong header");

    // ---- npz (loaded in place into the lenet5 network)
    const auto good = npz_entries(w.net);
    add("npz: zero-byte file", Fmt::Npz, {}, ErrorKind::Format, "empty file");
    add("npz: not a zip", Fmt::Npz, text("this is not a zip archive at all, just some text"), ErrorKind::Format, "bad magic");
    add("npz: native weights given as npz", Fmt::Npz, lenet::weights_to_bytes(w.net), ErrorKind::Format, "bad magic");
    {
        Zip z = zip_stored(good);
        add("npz: truncated (end record cut)", Fmt::Npz, fixtures::prefix(z.bytes, z.bytes.size() - 1), ErrorKind::Format,
            "no end-of-central-directory record");
        add("npz: truncated to the first entry", Fmt::Npz, fixtures::prefix(z.bytes, 300), ErrorKind::Format, "truncated");
        Bytes b = z.bytes;
        fixtures::set_le32(b, z.eocd + 16, uint32_t(b.size() + 10));
        add("npz: central directory offset past the end", Fmt::Npz, b, ErrorKind::Format, "central directory lies past the end");
        b = z.bytes;
        fixtures::set_le32(b, z.central + 42, 0x7FFFFFF0u);
        add("npz: local header offset past the end", Fmt::Npz, b, ErrorKind::Format, "local header offset past the end");
        b = z.bytes;
        fixtures::set_le32(b, z.central + 20, 0x7FFFFFF0u);
        add("npz: compressed size past the end", Fmt::Npz, b, ErrorKind::Format, "runs past the end of the file");
        b = z.bytes;
        fixtures::set_le32(b, z.central + 24, 0xFFFFFF00u);
        add("npz: entry claims 4 GB uncompressed", Fmt::Npz, b, ErrorKind::Format, "larger than the limit");
        b = z.bytes;
        set_le16(b, z.eocd + 8, 5000);
        set_le16(b, z.eocd + 10, 5000);
        add("npz: 5,000 entries claimed", Fmt::Npz, b, ErrorKind::Format, "more than the limit of 4096");
        b = z.bytes;
        set_le16(b, z.eocd + 8, 0xFFFF);
        set_le16(b, z.eocd + 10, 0xFFFF);
        add("npz: zip64 marker without zip64 records", Fmt::Npz, b, ErrorKind::Format, "zip64 locator missing");
        b = z.bytes;
        b[find(b, "\x93NUMPY") + 80] ^= 0x40;
        add("npz: CRC mismatch", Fmt::Npz, b, ErrorKind::Format, "CRC-32 mismatch");
        b = z.bytes;
        set_le16(b, z.central + 8, 1);
        add("npz: encrypted entry", Fmt::Npz, b, ErrorKind::Format, "encrypted entries are not supported");
        b = z.bytes;
        set_le16(b, z.central + 10, 12);
        add("npz: bzip2 entry", Fmt::Npz, b, ErrorKind::Format, "compression method 12 is not supported");
    }
    add("npz: missing key", Fmt::Npz,
        zip_stored(npz_entries(w.net, [](auto& ts) { ts.erase(ts.begin() + 1); })).bytes, ErrorKind::Shape,
        "missing tensor 'C1.bias'");
    add("npz: unknown key", Fmt::Npz,
        zip_stored(npz_entries(w.net, [](auto& ts) { ts.push_back({"C9.weight", {1}, {0.5f}}); })).bytes,
        ErrorKind::Shape, "unknown tensor 'C9.weight'");
    add("npz: wrong tensor shape", Fmt::Npz,
        zip_stored(npz_entries(w.net, [](auto& ts) { ts[0].shape = {6, 1, 25, 1}; })).bytes, ErrorKind::Shape,
        "tensor 'C1.weight' has shape [6,1,25,1], the network needs [6,1,5,5]");
    add("npz: transposed full weights", Fmt::Npz,
        zip_stored(npz_entries(w.net, [](auto& ts) {
            for (auto& t : ts)
                if (t.name == "F6.weight") std::swap(t.shape[0], t.shape[1]);
        })).bytes,
        ErrorKind::Shape, "'F6.weight' has shape [120,84]");
    add("npz: NaN weight", Fmt::Npz,
        zip_stored(npz_entries(w.net, [](auto& ts) { ts[2].data[7] = std::nanf(""); })).bytes, ErrorKind::Value, "is NaN");
    add("npz: Inf weight", Fmt::Npz,
        zip_stored(npz_entries(w.net, [](auto& ts) { ts.back().data[0] = -INFINITY; })).bytes, ErrorKind::Value, "is infinite");
    {
        auto e = good;
        e.push_back({"C1.bias.npy", e[1].second});
        add("npz: duplicate key", Fmt::Npz, zip_stored(e).bytes, ErrorKind::Format, "duplicate key 'C1.bias'");
        e = good;
        e.push_back({"README.txt", text("hello")});
        add("npz: an entry that is not .npy", Fmt::Npz, zip_stored(e).bytes, ErrorKind::Format, "is not a .npy array");
        auto with_npy = [&](const Bytes& npy) {
            auto g = good;
            g[0].second = npy;
            return zip_stored(g).bytes;
        };
        const Bytes f4(150 * 4, 0);
        add("npy: int32 dtype", Fmt::Npz, with_npy(npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (6, 1, 5, 5), }", f4)),
            ErrorKind::Format, "dtype '<i4' is not supported");
        add("npy: big-endian float", Fmt::Npz, with_npy(npy_raw("{'descr': '>f4', 'fortran_order': False, 'shape': (6, 1, 5, 5), }", f4)),
            ErrorKind::Format, "dtype '>f4' is not supported");
        add("npy: fortran order", Fmt::Npz, with_npy(npy_raw("{'descr': '<f4', 'fortran_order': True, 'shape': (6, 1, 5, 5), }", f4)),
            ErrorKind::Format, "fortran_order arrays are not supported");
        add("npy: shape larger than the data", Fmt::Npz, with_npy(npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 1, 5, 6), }", f4)),
            ErrorKind::Format, "(truncated)");
        add("npy: absurd shape (2^31 x 2^31)", Fmt::Npz,
            with_npy(npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648), }", f4)),
            ErrorKind::Format, "absurdly large");
        add("npy: header without 'shape'", Fmt::Npz, with_npy(npy_raw("{'descr': '<f4', 'fortran_order': False, }", f4)),
            ErrorKind::Format, "lacks 'descr', 'fortran_order' or 'shape'");
        add("npy: header not a dict", Fmt::Npz, with_npy(npy_raw("[1, 2, 3]", f4)), ErrorKind::Format, "bad npy header");
        add("npy: negative dimension", Fmt::Npz, with_npy(npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-6, 1, 5, 5), }", f4)),
            ErrorKind::Format, "expected a dimension");
        add("npy: version 9", Fmt::Npz, with_npy(npy_raw("{}", f4, 9)), ErrorKind::Format, "unsupported npy version 9");
        Bytes v2 = npy_raw("{}", {}, 2);
        fixtures::set_le32(v2, 8, 0x7FFFFFFFu);
        add("npy: 2 GB header length", Fmt::Npz, with_npy(v2), ErrorKind::Format, "is absurd");
        add("npy: bad magic", Fmt::Npz, with_npy(text("NUMPY? no")), ErrorKind::Format, "not a .npy array");
    }
    add("npz: a directory", Fmt::Npz, {}, ErrorKind::Io, "is a directory", Special::Directory);

    // ---- a state_dict with PyTorch's keys, no architecture given (net = load_any_weights(p, ""))
    {
        auto torch_keys = [](std::vector<lenet::NpyTensor>& ts) {
            for (size_t i = 0; i < ts.size(); i++) ts[i].name = "layer" + std::to_string(i);
        };
        add("state_dict: fits two presets (ambiguous)", Fmt::StateDict, zip_stored(npz_entries(w.net, torch_keys)).bytes,
            ErrorKind::Usage, "ambiguous: the tensors fit lenet5 and lenet5-relu");
        add("state_dict: fits no preset (Caffe's 20 maps)", Fmt::StateDict,
            zip_stored(npz_entries(w.net, [&](auto& ts) {
                torch_keys(ts);
                ts[0] = {"conv1.weight", {20, 1, 5, 5}, std::vector<float>(500, 0.5f)};
            })).bytes,
            ErrorKind::Shape, "fits no built-in architecture");
        add("state_dict: a wrong shape", Fmt::StateDict,
            zip_stored(npz_entries(w.net, [&](auto& ts) {
                torch_keys(ts);
                ts[4] = {"fc1.weight", {120, 256}, std::vector<float>(120 * 256, 0.5f)};
            })).bytes,
            ErrorKind::Shape, "tensor 5 'fc1.weight' [120,256] does not fit 'C5.weight' [120,16,5,5] of 'lenet5'");
        add("state_dict: the last tensor missing", Fmt::StateDict,
            zip_stored(npz_entries(w.net, [&](auto& ts) { torch_keys(ts); ts.pop_back(); })).bytes,
            ErrorKind::Shape, "'lenet5' also needs 'OUTPUT.bias' [10], which the 9 tensors of the file leave out");
        add("state_dict: NaN in a fitting file", Fmt::StateDict,
            zip_stored(npz_entries(w.paper, [&](auto& ts) { torch_keys(ts); ts[2].data[0] = std::nanf(""); })).bytes,
            ErrorKind::Value, "tensor 'S2.coeff'[0] is NaN");
        add("state_dict: truncated archive", Fmt::StateDict,
            fixtures::prefix(zip_stored(npz_entries(w.net, torch_keys)).bytes, 1000), ErrorKind::Format, "truncated");
    }

    // ---- native .lenet weights (net = load_weights(p))
    const Bytes nat = lenet::weights_to_bytes(w.net);
    const NativeMap m = native_map(nat);
    const NativeMap::T& c1w = tensor_at(m, "C1.weight");
    add("native: zero-byte file", Fmt::Native, {}, ErrorKind::Format, "empty file");
    add("native: truncated in the magic", Fmt::Native, fixtures::prefix(nat, 4), ErrorKind::Format, "truncated: the magic");
    add("native: truncated in the version", Fmt::Native, fixtures::prefix(nat, 10), ErrorKind::Format, "truncated: the version");
    add("native: truncated in the architecture length", Fmt::Native, fixtures::prefix(nat, 14), ErrorKind::Format,
        "truncated: the architecture length");
    add("native: truncated in the architecture JSON", Fmt::Native, fixtures::prefix(nat, m.json_at + m.json_len / 2),
        ErrorKind::Format, "truncated: the architecture JSON");
    add("native: truncated in the tensor count", Fmt::Native, fixtures::prefix(nat, m.count_at + 2), ErrorKind::Format,
        "truncated: the tensor count");
    add("native: truncated in a name length", Fmt::Native, fixtures::prefix(nat, c1w.nlen_at + 1), ErrorKind::Format,
        "truncated: a tensor name length");
    add("native: truncated in a name", Fmt::Native, fixtures::prefix(nat, c1w.name_at + 3), ErrorKind::Format,
        "truncated: a tensor name");
    add("native: truncated before the dimension count", Fmt::Native, fixtures::prefix(nat, c1w.ndim_at), ErrorKind::Format,
        "truncated: a tensor's dimension count");
    add("native: truncated in the dimensions", Fmt::Native, fixtures::prefix(nat, c1w.dims_at + 6), ErrorKind::Format,
        "truncated: a tensor dimension");
    add("native: truncated in the tensor data", Fmt::Native, fixtures::prefix(nat, c1w.data_at + 100), ErrorKind::Format,
        "truncated: tensor 'C1.weight' [6,1,5,5] needs 600 bytes");
    add("native: truncated in the CRC trailer", Fmt::Native, fixtures::prefix(nat, nat.size() - 2), ErrorKind::Format,
        "truncated: the CRC-32 trailer");
    {
        Bytes b = nat;
        b[0] = 'X';
        add("native: wrong magic", Fmt::Native, b, ErrorKind::Format, "not a .lenet weights file (bad magic)");
        add("native: an npz given as native", Fmt::Native, zip_stored(good).bytes, ErrorKind::Format, "this is an .npz (zip) file");
        add("native: a JSON spec given as weights", Fmt::Native, text(lenet::arch_to_json(w.net.spec())), ErrorKind::Format, "bad magic");
        b = nat;
        fixtures::set_le32(b, 8, 2);
        add("native: version 2", Fmt::Native, b, ErrorKind::Format, "unsupported version 2");
        b = nat;
        fixtures::set_le32(b, 12, 0xFFFFFFFFu);
        add("native: 4 GB architecture length", Fmt::Native, b, ErrorKind::Format, "architecture length 4,294,967,295 is absurd");
        b = nat;
        fixtures::set_le32(b, m.count_at, 0x7FFFFFFFu);
        add("native: 2^31 tensors", Fmt::Native, b, ErrorKind::Format, "tensor count 2,147,483,647 is absurd");
        b = nat;
        b[c1w.ndim_at] = 0;
        add("native: zero dimensions", Fmt::Native, b, ErrorKind::Format, "has 0 dimensions (1..8)");
        b = nat;
        b[c1w.ndim_at] = 200;
        add("native: 200 dimensions", Fmt::Native, b, ErrorKind::Format, "has 200 dimensions (1..8)");
        b = nat;
        fixtures::set_le32(b, c1w.dims_at, 0x80000000u);
        fixtures::set_le32(b, c1w.dims_at + 4, 0x80000000u);
        add("native: 2^31 x 2^31 tensor", Fmt::Native, b, ErrorKind::Format, "needs more bytes");
        b = nat;
        b[c1w.data_at + 5] ^= 0x10;
        add("native: CRC mismatch", Fmt::Native, b, ErrorKind::Format, "CRC-32 mismatch");
        add("native: bytes after the trailer", Fmt::Native, cat(nat, {0}), ErrorKind::Format, "unexpected bytes after the CRC-32 trailer");
        b = nat;
        set_f32(b, c1w.data_at + 4 * 3, std::nanf(""));
        add("native: NaN weight (valid CRC)", Fmt::Native, with_crc(b), ErrorKind::Value, "tensor 'C1.weight'[0,0,0,3] is NaN");
        b = nat;
        set_f32(b, tensor_at(m, "OUTPUT.bias").data_at, INFINITY);
        add("native: Inf bias (valid CRC)", Fmt::Native, with_crc(b), ErrorKind::Value, "'OUTPUT.bias'[0] is infinite");
        b = nat;
        b[find(b, "\"maps\": 6")+8] = '7';  // C1 with 7 maps: the stored tensors no longer fit
        add("native: tensor shapes do not fit the architecture", Fmt::Native, with_crc(b), ErrorKind::Shape,
            "tensor 'C1.weight' has shape [6,1,5,5], the network needs [7,1,5,5]");
        b = nat;
        b[find(b, "\"layers\"") + 1] = 'L';
        add("native: architecture JSON with an unknown key", Fmt::Native, with_crc(b), ErrorKind::Spec, "unknown key 'Layers'");
        b = nat;
        b[m.json_at] = 0xFF;
        add("native: architecture JSON not UTF-8", Fmt::Native, with_crc(b), ErrorKind::Spec, "invalid JSON");
        b = nat;
        b[c1w.name_at + 1] = '9';
        add("native: a tensor the architecture lacks", Fmt::Native, with_crc(b), ErrorKind::Shape, "unknown tensor 'C9.weight'");
        // lenet5-1998's C3 leaves out 1516 - ... connections of Table I: a nonzero weight there is corruption.
        Bytes p = lenet::weights_to_bytes(w.paper);
        const NativeMap pm = native_map(p);
        const NativeMap::T& c3 = tensor_at(pm, "C3.weight");  // [16,6,5,5]; Table I: C3 map 0 has no input from S2 map 3
        set_f32(p, c3.data_at + 4 * size_t(0 * 150 + 3 * 25), 0.25f);
        add("native: weight at a connection Table I leaves out", Fmt::Native, with_crc(p), ErrorKind::Value,
            "nonzero at a connection the layer's table leaves out");
    }
    add("native: a directory", Fmt::Native, {}, ErrorKind::Io, "is a directory", Special::Directory);
    add("native: no such file", Fmt::Native, {}, ErrorKind::Io, "cannot open", Special::Missing);

    // ---- JSON architecture specs (net = Network(arch_load(p)))
    const std::string L1 = R"({"name": "F", "type": "full", "units": 10})";
    auto spec = [](const std::string& layers, const std::string& extra = "", const std::string& input = "[1, 8, 8]") {
        return text("{\"name\": \"t\", \"input\": " + input + extra + ", \"layers\": [" + layers + "]}");
    };
    add("spec: zero-byte file", Fmt::Arch, {}, ErrorKind::Spec, "invalid JSON");
    add("spec: not UTF-8", Fmt::Arch, text("{\"name\": \"t\xff\xfe\", \"input\": [1, 8, 8], \"layers\": []}"), ErrorKind::Spec,
        "ill-formed UTF-8");
    add("spec: Latin-1 text", Fmt::Arch, text("{\"name\": \"caf\xe9\", \"input\": [1, 8, 8], \"layers\": [" + L1 + "]}"),
        ErrorKind::Spec, "invalid JSON");
    add("spec: 100,000 nested arrays", Fmt::Arch, text(std::string(100000, '[') + std::string(100000, ']')), ErrorKind::Spec,
        "must be a JSON object");
    add("spec: 100,000 unclosed arrays", Fmt::Arch, text(std::string(100000, '[')), ErrorKind::Spec, "invalid JSON");
    add("spec: deep nesting inside a layer", Fmt::Arch,
        spec("{\"name\": \"F\", \"type\": \"full\", \"units\": " + std::string(50000, '[') + std::string(50000, ']') + "}"),
        ErrorKind::Spec, "\"units\" must be an integer");
    add("spec: number too large for a double", Fmt::Arch, text("3e333"), ErrorKind::Spec, "number overflow");
    add("spec: units 1e400", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 1e400})"), ErrorKind::Spec,
        "number overflow");
    add("spec: trailing garbage", Fmt::Arch, cat(spec(L1), text("}")), ErrorKind::Spec, "invalid JSON");
    add("spec: duplicate key", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 10, "units": 12})"), ErrorKind::Spec,
        "duplicate key \"units\"");
    add("spec: duplicate layer names", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 20}, )" + L1), ErrorKind::Spec,
        "duplicate layer name 'F'");
    add("spec: missing layers", Fmt::Arch, text(R"({"name": "t", "input": [1, 8, 8]})"), ErrorKind::Spec, "missing \"layers\"");
    add("spec: missing input", Fmt::Arch, text("{\"name\": \"t\", \"layers\": [" + L1 + "]}"), ErrorKind::Spec, "missing \"input\"");
    add("spec: missing layer type", Fmt::Arch, spec(R"({"name": "F", "units": 10})"), ErrorKind::Spec, "missing \"type\"");
    add("spec: unknown layer type", Fmt::Arch, spec(R"({"name": "F", "type": "dense", "units": 10})"), ErrorKind::Spec,
        "unknown layer type 'dense'");
    add("spec: kernel larger than the input", Fmt::Arch, spec(R"({"name": "C", "type": "conv", "maps": 2, "kernel": 9}, )" + L1),
        ErrorKind::Spec, "does not fit its input 1@8x8");
    add("spec: negative maps", Fmt::Arch, spec(R"({"name": "C", "type": "conv", "maps": -6, "kernel": 3}, )" + L1),
        ErrorKind::Spec, "conv maps must be 1..4096, got -6");
    add("spec: zero units", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 0})"), ErrorKind::Spec, "full units must be 1..65536, got 0");
    add("spec: 2^31 input height", Fmt::Arch, spec(L1, "", "[1, 2147483648, 8]"), ErrorKind::Spec, "\"input\" values must be integers 1..4096");
    add("spec: a billion parameters", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 65536})", "", "[4, 1024, 1024]"),
        ErrorKind::Spec, "more than 67108864 parameters");
    add("spec: string where a number belongs", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": "10"})"), ErrorKind::Spec,
        "\"units\" must be an integer");
    add("spec: table of the wrong size", Fmt::Arch,
        spec(R"({"name": "C", "type": "conv", "maps": 2, "kernel": 3, "table": [[1, 1], [1, 1]]}, )" + L1), ErrorKind::Spec,
        "table has 2 rows but the layer has 1 input maps");
    add("spec: rbf not last", Fmt::Arch,
        spec(R"({"name": "F", "type": "full", "units": 84}, {"name": "R", "type": "rbf", "units": 10, "prototypes": "digits-7x12"}, )" + L1),
        ErrorKind::Spec, "must be the last layer");
    add("spec: unknown activation", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 10, "activation": "gelu"})"),
        ErrorKind::Spec, "unknown activation 'gelu'");
    add("spec: NaN-like map_j", Fmt::Arch, spec(L1, ", \"loss\": \"map\", \"map_j\": -1"), ErrorKind::Spec, "map_j must be a positive finite number");
    add("spec: one output", Fmt::Arch, spec(R"({"name": "F", "type": "full", "units": 1})"), ErrorKind::Spec, "at least 2 outputs");
    add("spec: top level is an array", Fmt::Arch, text("[1, 2, 3]"), ErrorKind::Spec, "must be a JSON object");
    add("spec: a directory", Fmt::Arch, {}, ErrorKind::Io, "", Special::Directory);
    add("spec: no such file", Fmt::Arch, {}, ErrorKind::Io, "cannot open", Special::Missing);

    // ---- images (preprocess_image_file)
    add("image: zero-byte file", Fmt::Image, {}, ErrorKind::Format, "empty file");
    add("image: text, not an image", Fmt::Image, text("hello, this is text\n"), ErrorKind::Format, "not a PNG, PGM/PPM, BMP or JPEG");
    add("image: PNG claiming 5000x5000", Fmt::Image, png_header(5000, 5000), ErrorKind::Format, "not in 1..4096 pixels per side");
    add("image: PNG claiming 2^31 x 1", Fmt::Image, png_header(0x80000000u, 1), ErrorKind::Format, "");
    add("image: PNG header without pixel data", Fmt::Image, cat(png_header(4, 4), png_chunk("IEND", {})), ErrorKind::Format,
        "cannot decode the image");
    {  // stb_image allocated the claimed IDAT size before reading it (fuzz_image: malloc of 2 GB)
        Bytes idat;
        fixtures::put_be32(idat, 0x80000000u);
        Bytes rest = cat(text("IDAT"), Bytes(10, 0x78));
        idat.insert(idat.end(), rest.begin(), rest.end());
        add("image: PNG IDAT claiming 2 GB", Fmt::Image, cat(png_header(4, 4), idat), ErrorKind::Format,
            "truncated PNG: chunk 'IDAT' at byte 33 claims 2,147,483,648 bytes");
    }
    add("image: PNG cut after the signature", Fmt::Image, fixtures::prefix(png_header(4, 4), 12), ErrorKind::Format, "");
    add("image: PGM with too few pixels", Fmt::Image, cat(text("P5 4 4 255\n"), Bytes(10, 7)), ErrorKind::Format,
        "truncated: PNM pixel data needs 16 bytes, the file has 10");
    add("image: PGM 99999 pixels wide", Fmt::Image, cat(text("P5 99999 4 255\n"), Bytes(16, 7)), ErrorKind::Format, "absurdly large");
    add("image: PGM zero width", Fmt::Image, cat(text("P5 0 4 255\n"), Bytes(16, 7)), ErrorKind::Format, "is 0x4, not in 1..4096");
    add("image: PGM maximum value 0", Fmt::Image, cat(text("P5 4 4 0\n"), Bytes(16, 7)), ErrorKind::Format, "maximum value is 0");
    add("image: PGM header cut", Fmt::Image, text("P5\n# only a comment\n"), ErrorKind::Format, "no width");
    add("image: JPEG Huffman table with 510 codes", Fmt::Image, {0xff, 0xff, 0xd8, 0xff, 0xc4, 0x01, 0xa2, 0x00, 0xff, 0xff},
        ErrorKind::Format, "Huffman table declares 510 codes");
    add("image: a directory", Fmt::Image, {}, ErrorKind::Io, "is a directory", Special::Directory);
    return rows;
}

std::string fmt_name(Fmt f) {
    switch (f) {
        case Fmt::IdxImages: return "idx-images";
        case Fmt::IdxLabels: return "idx-labels";
        case Fmt::Npz: return "npz";
        case Fmt::StateDict: return "state-dict";
        case Fmt::Native: return "native";
        case Fmt::Arch: return "arch";
        case Fmt::Image: return "image";
    }
    return "?";
}

}  // namespace

TEST_SUITE("bad-input") {

TEST_CASE("bad input: every malformed file gives its exact error, bounded memory, and changes nothing") {
    World w;
    const std::vector<Row> rows = make_rows(w);
    const std::vector<float> params0 = w.net.params(), fixed0 = w.net.fixed();
    const std::string spec0 = lenet::arch_to_json(w.net.spec());
    const std::vector<uint8_t> pixels0 = w.data.pixels, labels0 = w.data.labels;
    const std::string good_img = w.dir.file("good-images"), good_lab = w.dir.file("good-labels");
    int n = 0;
    std::map<std::string, int> per_format;
    for (const Row& r : rows) {
        CAPTURE(r.name);
        const std::string fname = "case-" + std::to_string(n++) + "-" + fmt_name(r.fmt);
        std::string path = w.dir.file(fname);
        if (r.special == Special::Directory) std::filesystem::create_directory(path);
        else if (r.special == Special::None) w.dir.write(fname, r.bytes);
        // Missing: nothing is created.
        const size_t file_size = r.bytes.size();
        fixtures::Caught c;
        size_t requested = 0, largest = 0;
        {
            alloc_probe::Scope probe;
            c = fixtures::catch_error([&] {
                switch (r.fmt) {
                    case Fmt::IdxImages: w.data = lenet::load_idx(path, good_lab); break;
                    case Fmt::IdxLabels: w.data = lenet::load_idx(good_img, path); break;
                    case Fmt::Npz: lenet::load_npz(w.net, path); break;
                    case Fmt::StateDict: w.net = lenet::load_any_weights(path, ""); break;
                    case Fmt::Native: w.net = lenet::load_weights(path); break;
                    case Fmt::Arch: w.net = lenet::Network(lenet::arch_load(path)); break;
                    case Fmt::Image: (void)lenet::preprocess_image_file(path); break;
                }
            });
            probe.stop();
            requested = alloc_probe::total;
            largest = alloc_probe::largest;
        }
        CHECK_MESSAGE(c.thrown, "no error for: " << r.name);
        CHECK_MESSAGE(c.kind == r.kind, "kind " << lenet::error_kind_name(c.kind) << ", expected "
                                                << lenet::error_kind_name(r.kind) << ": " << c.what);
        // A build without zlib (the web's) refuses every gzip idx file before reading its stream.
        const bool gz = (r.fmt == Fmt::IdxImages || r.fmt == Fmt::IdxLabels) && r.bytes.size() >= 2 &&
                        uint8_t(r.bytes[0]) == 0x1f && uint8_t(r.bytes[1]) == 0x8b;
        const std::string fragment = gz && !lenet::io_has_zlib() ? "this build has no zlib" : r.fragment;
        CHECK_MESSAGE(fixtures::contains(c.what, fragment), "message '" << c.what << "' lacks '" << fragment << "'");
        // The message names the file (or, for a spec's JSON inside a weights file, that file).
        CHECK_MESSAGE(fixtures::contains(c.what, fname), "message '" << c.what << "' does not name the file");
        const size_t bound = (size_t(8) << 20) + 8 * file_size;
        CHECK_MESSAGE(requested <= bound, "requested " << requested << " bytes (largest " << largest << "), bound " << bound);
        // Nothing the app had loaded changed.
        CHECK(w.net.params() == params0);
        CHECK(w.net.fixed() == fixed0);
        CHECK(lenet::arch_to_json(w.net.spec()) == spec0);
        CHECK(w.data.pixels == pixels0);
        CHECK(w.data.labels == labels0);
        per_format[fmt_name(r.fmt)]++;
    }
    MESSAGE("bad-input table: " << rows.size() << " rows");
    CHECK(rows.size() >= 40);
    for (const char* f : {"idx-images", "idx-labels", "npz", "state-dict", "native", "arch", "image"}) CHECK(per_format[f] >= 1);
}

TEST_CASE("bad input: a good file of each format still loads after the table (the loaders are not just refusing everything)") {
    World w;
    lenet::Network copy = w.net;
    copy.init(99);
    const std::string nat = w.dir.write("good.lenet", lenet::weights_to_bytes(copy));
    lenet::Network back = lenet::load_weights(nat);
    CHECK(back.params() == copy.params());
    const std::string npz = w.dir.write("good.npz", zip_stored(npz_entries(copy)).bytes);
    lenet::load_npz(w.net, npz);
    CHECK(w.net.params() == copy.params());
    const std::string js = w.dir.write("good.json", text(lenet::arch_to_json(w.tiny.spec())));
    CHECK(lenet::Network(lenet::arch_load(js)).totals().params == w.tiny.totals().params);
    CHECK(w.data.count == 3);
}

}  // TEST_SUITE
