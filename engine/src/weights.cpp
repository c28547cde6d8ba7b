// weights.cpp — weights files: the native ".lenet" format and NumPy ".npz" with PyTorch keys.
//
// Native format (little-endian; docs/file-formats.md):
//   "LENET5W\0"                       8 bytes magic
//   u32 version                       = 1
//   u32 n, n bytes                    the architecture as JSON (arch_to_json)
//   u32 tensor count
//   per tensor: u16 n, n bytes name; u8 ndim (1..8); ndim x u32 dims; product(dims) x f32 values
//   u32 CRC-32 of every byte before it
// Loading parses with bounds checks first (so a truncated file says which field is cut), then checks
// the CRC, then builds the network from the JSON and copies the tensors: every tensor of the network
// must be present with its exact shape, nothing else, no NaN/Inf, and no nonzero weight at a
// connection a conv table leaves out (our own writer never produces one, so it means corruption).
//
// npz (PyTorch interchange): keys from Network::tensors(): "<LAYER>.weight" (conv [O,I,K,K], full
// [O,I]), "<LAYER>.bias" [O], subsampling "<LAYER>.coeff" [C] and "<LAYER>.bias" [C], RBF
// "<LAYER>.prototypes" [10,84] (fixed). On import, weights at a table's absent connections are set
// to zero (as a masked conv in PyTorch ignores them), and fixed tensors may be left out (the network
// keeps its own). Everything is checked before anything is changed.
#include "lenet/lenet.h"

#include "io_util.h"

#include <cmath>
#include <cstring>
#include <map>

namespace lenet {

namespace {

constexpr char     kMagic[8] = {'L', 'E', 'N', 'E', 'T', '5', 'W', '\0'};
constexpr uint32_t kVersion1 = 1;
constexpr uint32_t kMaxJson = 1u << 20;
constexpr uint32_t kMaxTensors = 4096;

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string index_text(const std::vector<int64_t>& shape, size_t flat) {
    std::vector<int64_t> idx(shape.size());
    for (size_t d = shape.size(); d-- > 0;) {
        int64_t n = shape[d] > 0 ? shape[d] : 1;
        idx[d] = int64_t(flat) % n;
        flat /= size_t(n);
    }
    return shape_text(idx);
}

struct SetOptions {
    bool strict_absent;   // nonzero weight at an absent table connection: error (true) or zeroed (false)
    bool require_fixed;   // fixed tensors (RBF prototypes) must be present
};

void set_tensors_impl(Network& net, const std::vector<NpyTensor>& tensors, const std::string& where,
                      const SetOptions& opt) {
    std::vector<TensorView> views = net.tensors();
    std::map<std::string, const NpyTensor*> by_name;
    for (const NpyTensor& t : tensors)
        if (!by_name.emplace(t.name, &t).second)
            throw Error(ErrorKind::Format, where, "duplicate tensor '" + t.name + "'");
    std::string known;
    for (const TensorView& v : views) known += (known.empty() ? "" : ", ") + v.name;
    for (const NpyTensor& t : tensors) {
        bool found = false;
        for (const TensorView& v : views) found = found || v.name == t.name;
        if (!found)
            throw Error(ErrorKind::Shape, where,
                        "unknown tensor '" + t.name + "' for architecture '" + net.spec().name + "' (it has " + known + ")");
    }
    const std::vector<uint8_t> mask = net.trainable_mask();
    const float* base = net.params().data();
    // Pass 1: check everything.
    for (const TensorView& v : views) {
        auto it = by_name.find(v.name);
        if (it == by_name.end()) {
            if (!v.trainable && !opt.require_fixed) continue;
            throw Error(ErrorKind::Shape, where, "missing tensor '" + v.name + "' " + shape_text(v.shape));
        }
        const NpyTensor& t = *it->second;
        if (t.shape != v.shape || t.data.size() != v.count)
            throw Error(ErrorKind::Shape, where,
                        "tensor '" + v.name + "' has shape " + shape_text(t.shape) + ", the network needs " +
                            shape_text(v.shape));
        for (size_t i = 0; i < t.data.size(); i++)
            if (!std::isfinite(t.data[i]))
                throw Error(ErrorKind::Value, where,
                            "tensor '" + v.name + "'" + index_text(v.shape, i) + " is " +
                                (std::isnan(t.data[i]) ? "NaN" : "infinite"));
        if (opt.strict_absent && v.trainable && v.data >= base && v.data < base + net.params().size()) {
            size_t off = size_t(v.data - base);
            for (size_t i = 0; i < t.data.size() && off + i < mask.size(); i++)
                if (!mask[off + i] && t.data[i] != 0.0f)
                    throw Error(ErrorKind::Value, where,
                                "tensor '" + v.name + "'" + index_text(v.shape, i) +
                                    " is nonzero at a connection the layer's table leaves out");
        }
    }
    // Pass 2: copy (cannot fail).
    for (const TensorView& v : views) {
        auto it = by_name.find(v.name);
        if (it == by_name.end()) continue;
        std::memcpy(v.data, it->second->data.data(), v.count * sizeof(float));
        if (v.trainable && v.data >= base && v.data < base + net.params().size()) {
            size_t off = size_t(v.data - base);
            for (size_t i = 0; i < v.count && off + i < mask.size(); i++)
                if (!mask[off + i]) v.data[i] = 0.0f;
        }
    }
}

bool looks_like_zip(const std::vector<uint8_t>& b) { return b.size() >= 2 && b[0] == 'P' && b[1] == 'K'; }

}  // namespace

std::vector<NpyTensor> get_tensors(const Network& net) {
    Network copy = net;  // tensors() hands out mutable views; 60k floats are cheap to copy
    std::vector<NpyTensor> out;
    for (const TensorView& v : copy.tensors()) {
        NpyTensor t;
        t.name = v.name;
        t.shape = v.shape;
        t.data.assign(v.data, v.data + v.count);
        out.push_back(std::move(t));
    }
    return out;
}

void set_tensors(Network& net, const std::vector<NpyTensor>& tensors, const std::string& where) {
    set_tensors_impl(net, tensors, where, SetOptions{false, false});
}

// ---- native ---------------------------------------------------------------------------------------
std::vector<uint8_t> weights_to_bytes(const Network& net) {
    std::vector<NpyTensor> tensors = get_tensors(net);
    for (const NpyTensor& t : tensors)
        for (float f : t.data)
            if (!std::isfinite(f))
                throw Error(ErrorKind::Value, t.name, "refusing to save NaN/Inf weights");
    std::string json = arch_to_json(net.spec());
    std::vector<uint8_t> out;
    io::put_bytes(out, kMagic, 8);
    io::put_u32le(out, kVersion1);
    io::put_u32le(out, uint32_t(json.size()));
    io::put_bytes(out, json.data(), json.size());
    io::put_u32le(out, uint32_t(tensors.size()));
    for (const NpyTensor& t : tensors) {
        io::put_u16le(out, uint16_t(t.name.size()));
        io::put_bytes(out, t.name.data(), t.name.size());
        out.push_back(uint8_t(t.shape.size()));
        for (int64_t d : t.shape) io::put_u32le(out, uint32_t(d));
        for (float f : t.data) {
            uint32_t u;
            std::memcpy(&u, &f, 4);
            io::put_u32le(out, u);
        }
    }
    io::put_u32le(out, io::crc32(out.data(), out.size()));
    return out;
}

Network weights_from_bytes(const uint8_t* bytes, size_t size, const std::string& where) {
    if (size == 0) throw Error(ErrorKind::Format, where, "empty file (0 bytes)");
    if (size > kMaxWeightsBytes)
        throw Error(ErrorKind::Format, where, "larger than the limit of " + with_commas(kMaxWeightsBytes) + " bytes");
    io::Reader r(bytes, size, where);
    if (size < 8 && std::memcmp(bytes, kMagic, size) == 0) r.bytes(8, "the magic");  // throws "truncated"
    if (size < 8 || std::memcmp(bytes, kMagic, 8) != 0) {
        if (size >= 2 && bytes[0] == 'P' && bytes[1] == 'K')
            throw Error(ErrorKind::Format, where, "this is an .npz (zip) file, not a native .lenet weights file");
        throw Error(ErrorKind::Format, where, "not a .lenet weights file (bad magic)");
    }
    r.bytes(8, "the magic");
    uint32_t version = r.u32le("the version");
    if (version != kVersion1)
        throw Error(ErrorKind::Format, where, "unsupported version " + std::to_string(version) + " (this build reads 1)");
    uint32_t json_len = r.u32le("the architecture length");
    if (json_len > kMaxJson) throw Error(ErrorKind::Format, where, "architecture length " + with_commas(json_len) + " is absurd");
    const uint8_t* jp = r.bytes(json_len, "the architecture JSON");
    std::string json(reinterpret_cast<const char*>(jp), json_len);
    uint32_t count = r.u32le("the tensor count");
    if (count > kMaxTensors) throw Error(ErrorKind::Format, where, "tensor count " + with_commas(count) + " is absurd");
    std::vector<NpyTensor> tensors;
    for (uint32_t k = 0; k < count; k++) {
        NpyTensor t;
        uint16_t nlen = r.u16le("a tensor name length");
        const uint8_t* np = r.bytes(nlen, "a tensor name");
        t.name.assign(reinterpret_cast<const char*>(np), nlen);
        uint8_t ndim = r.u8("a tensor's dimension count");
        if (ndim == 0 || ndim > 8)
            throw Error(ErrorKind::Format, where, "tensor '" + t.name + "' has " + std::to_string(ndim) + " dimensions (1..8)");
        uint64_t n = 1;
        bool absurd = false;
        for (uint8_t d = 0; d < ndim; d++) {
            uint32_t dim = r.u32le("a tensor dimension");
            t.shape.push_back(int64_t(dim));
            n *= dim;
            if (n > kMaxWeightsBytes) { absurd = true; n = 0; }  // keeps the product from overflowing
        }
        if (absurd || n * 4 > r.remaining())  // checked before any allocation
            throw Error(ErrorKind::Format, where,
                        "truncated: tensor '" + t.name + "' " + shape_text(t.shape) + " needs " +
                            (absurd ? std::string("more bytes") : with_commas(n * 4) + " bytes") +
                            ", larger than the rest of the file (" + with_commas(r.remaining()) + " bytes)");
        const uint8_t* p = r.bytes(size_t(n) * 4, "tensor data");
        t.data.resize(size_t(n));
        for (size_t i = 0; i < n; i++, p += 4) {
            uint32_t u = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
            std::memcpy(&t.data[i], &u, 4);
        }
        tensors.push_back(std::move(t));
    }
    size_t body = r.pos();
    uint32_t stored = r.u32le("the CRC-32 trailer");
    if (r.remaining() != 0)
        throw Error(ErrorKind::Format, where, with_commas(r.remaining()) + " unexpected bytes after the CRC-32 trailer");
    if (io::crc32(bytes, body) != stored) throw Error(ErrorKind::Format, where, "CRC-32 mismatch (the file is corrupt)");
    Network net(arch_from_json(json, where));
    set_tensors_impl(net, tensors, where, SetOptions{true, true});
    return net;
}

void save_weights(const Network& net, const std::string& path) { io::write_file_atomic(path, weights_to_bytes(net)); }

Network load_weights(const std::string& path) {
    std::vector<uint8_t> b = io::read_file(path, kMaxWeightsBytes);
    return weights_from_bytes(b.data(), b.size(), path);
}

// ---- npz ------------------------------------------------------------------------------------------
void save_npz(Network& net, const std::string& path) {
    std::vector<NpyTensor> tensors = get_tensors(net);
    for (const NpyTensor& t : tensors)
        for (float f : t.data)
            if (!std::isfinite(f)) throw Error(ErrorKind::Value, t.name, "refusing to save NaN/Inf weights");
    std::string arch = kNpzArchComment + arch_to_json(net.spec());
    io::write_file_atomic(path, npz_write(tensors, arch.size() <= 0xFFFF ? arch : std::string()));
}

void load_npz(Network& net, const std::string& path) {
    std::vector<uint8_t> b = io::read_file(path, kMaxWeightsBytes);
    std::vector<NpyTensor> tensors = npz_read(b.data(), b.size(), path);
    set_tensors(net, tensors, path);
}

Network load_any_weights(const std::string& path, const std::string& arch) {
    std::vector<uint8_t> b = io::read_file(path, kMaxWeightsBytes);
    // By content, not extension: a zip is an npz, tag 0x08 an ONNX model, anything else must be native.
    if (looks_like_zip(b)) {
        std::string comment;
        std::vector<NpyTensor> tensors = npz_read(b.data(), b.size(), path, &comment);
        if (!arch.empty() || comment.compare(0, std::strlen(kNpzArchComment), kNpzArchComment) != 0)
            return network_from_state_dict(tensors, arch, path);
        Network net(arch_from_json(comment.substr(std::strlen(kNpzArchComment)), path));
        set_state_dict(net, tensors, path);
        return net;
    }
    if (looks_like_onnx(b.data(), b.size())) {
        if (!arch.empty())
            throw Error(ErrorKind::Usage, path, "an ONNX model carries its own architecture: leave out --arch");
        return network_from_onnx(b.data(), b.size(), path);
    }
    Network own = weights_from_bytes(b.data(), b.size(), path);
    if (arch.empty()) return own;
    Network net(arch_load(arch));
    set_tensors_impl(net, get_tensors(own), path, SetOptions{false, true});
    return net;
}

void save_any_weights(const Network& net, const std::string& path) {
    std::string lower = path;
    for (char& c : lower) c = char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (io::ends_with(lower, ".npz")) {
        Network copy = net;
        save_npz(copy, path);
    } else if (io::ends_with(lower, ".onnx")) {
        io::write_file_atomic(path, onnx_from_network(net));
    } else {
        save_weights(net, path);
    }
}

}  // namespace lenet
