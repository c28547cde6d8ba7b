// make_seeds.cpp — writes the seed corpora of the fuzz targets with our own code (nothing is
// downloaded): make_seeds OUT_DIR writes OUT_DIR/<target>/<name> for idx, npz, weights, arch, image
// and hash. Run by scripts/make-seeds. Seeds are small valid files of every kind each parser accepts
// plus a few near-misses, so the fuzzer starts on the interesting paths.
#include "fuzz_common.h"
#include "hash_parse.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Weverything"
#endif
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

fs::path g_out;
int g_count = 0;

void put(const std::string& target, const std::string& name, const Bytes& b) {
    fs::create_directories(g_out / target);
    std::ofstream f(g_out / target / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    if (!f) { std::fprintf(stderr, "make_seeds: cannot write %s\n", (g_out / target / name).c_str()); std::exit(1); }
    g_count++;
}
void put(const std::string& target, const std::string& name, const std::string& s) {
    put(target, name, Bytes(s.begin(), s.end()));
}

void be32(Bytes& b, uint32_t v) { for (int i = 3; i >= 0; i--) b.push_back(uint8_t(v >> (8 * i))); }
void le16(Bytes& b, uint16_t v) { b.push_back(uint8_t(v)); b.push_back(uint8_t(v >> 8)); }
void le32(Bytes& b, uint32_t v) { for (int i = 0; i < 4; i++) b.push_back(uint8_t(v >> (8 * i))); }

Bytes gzip(const Bytes& in) {
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    Bytes out(deflateBound(&zs, uLong(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(in.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}
Bytes raw_deflate(const Bytes& in) {
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    Bytes out(deflateBound(&zs, uLong(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(in.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

// ---- idx ------------------------------------------------------------------------------------------
Bytes idx_pair(uint32_t n, uint32_t rows, uint32_t cols, bool gz, uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes img, lab;
    be32(img, 0x803); be32(img, n); be32(img, rows); be32(img, cols);
    for (uint32_t i = 0; i < n * rows * cols; i++) img.push_back(uint8_t(rng() % 4 == 0 ? rng() : 0));
    be32(lab, 0x801); be32(lab, n);
    for (uint32_t i = 0; i < n; i++) lab.push_back(uint8_t(rng() % 10));
    if (gz) { img = gzip(img); lab = gzip(lab); }
    Bytes out;
    le16(out, uint16_t(lab.size()));
    out.insert(out.end(), lab.begin(), lab.end());
    out.insert(out.end(), img.begin(), img.end());
    return out;
}

void seeds_idx() {
    put("idx", "small-3x28x28", idx_pair(3, 28, 28, false, 1));
    put("idx", "small-2x5x7", idx_pair(2, 5, 7, false, 2));
    put("idx", "empty-0", idx_pair(0, 28, 28, false, 3));
    put("idx", "one-1x1", idx_pair(1, 1, 1, false, 4));
    put("idx", "gzip-2x8x8", idx_pair(2, 8, 8, true, 5));
    Bytes cut = idx_pair(2, 4, 4, false, 6);
    cut.resize(cut.size() - 3);
    put("idx", "truncated", cut);
    Bytes swapped = idx_pair(1, 3, 3, false, 7);
    swapped[2 + 3] = 0x03;  // labels magic says images
    put("idx", "bad-label-magic", swapped);
}

// ---- networks, weights, npz ----------------------------------------------------------------------
std::vector<lenet::Network> networks() {
    std::vector<lenet::Network> nets;
    nets.emplace_back(lenet::arch_from_json(fuzz::tiny_arch_json(), "tiny"));
    for (const std::string& name : lenet::arch_preset_names()) nets.emplace_back(lenet::arch_preset(name));
    uint64_t seed = 11;
    for (lenet::Network& n : nets) n.init(seed++);
    return nets;
}

// An npz with deflated entries (np.savez_compressed), written here independently of npz_write.
Bytes npz_deflated(const std::vector<lenet::NpyTensor>& tensors) {
    Bytes out, central;
    for (const lenet::NpyTensor& t : tensors) {
        Bytes body = lenet::npy_write(t), packed = raw_deflate(body);
        std::string name = t.name + ".npy";
        uint32_t crc = uint32_t(::crc32(0, body.data(), uInt(body.size())));
        uint32_t off = uint32_t(out.size());
        le32(out, 0x04034b50); le16(out, 20); le16(out, 0); le16(out, 8); le16(out, 0); le16(out, 0x21);
        le32(out, crc); le32(out, uint32_t(packed.size())); le32(out, uint32_t(body.size()));
        le16(out, uint16_t(name.size())); le16(out, 0);
        out.insert(out.end(), name.begin(), name.end());
        out.insert(out.end(), packed.begin(), packed.end());
        le32(central, 0x02014b50); le16(central, 20); le16(central, 20); le16(central, 0); le16(central, 8);
        le16(central, 0); le16(central, 0x21); le32(central, crc); le32(central, uint32_t(packed.size()));
        le32(central, uint32_t(body.size())); le16(central, uint16_t(name.size())); le16(central, 0);
        le16(central, 0); le16(central, 0); le16(central, 0); le32(central, 0); le32(central, off);
        central.insert(central.end(), name.begin(), name.end());
    }
    uint32_t cd = uint32_t(out.size());
    out.insert(out.end(), central.begin(), central.end());
    le32(out, 0x06054b50); le16(out, 0); le16(out, 0); le16(out, uint16_t(tensors.size()));
    le16(out, uint16_t(tensors.size())); le32(out, uint32_t(central.size())); le32(out, cd); le16(out, 0);
    return out;
}

void seeds_weights_npz() {
    for (lenet::Network& n : networks()) {
        const std::string name = n.spec().name;
        put("weights", name + ".lenet", lenet::weights_to_bytes(n));
        if (n.input_shape().h >= 28) put("onnx", name + ".onnx", lenet::onnx_from_network(n));
        std::vector<lenet::NpyTensor> ts = lenet::get_tensors(n);
        put("npz", name + ".npz", lenet::npz_write(ts));
        if (name == "tiny") {
            put("npz", "tiny-deflated.npz", npz_deflated(ts));
            // Without the fixed prototypes (allowed on import), and one tensor alone.
            std::vector<lenet::NpyTensor> trainable;
            for (const lenet::NpyTensor& t : ts)
                if (t.name.find("prototypes") == std::string::npos) trainable.push_back(t);
            put("npz", "tiny-trainable.npz", lenet::npz_write(trainable));
            put("npz", "C1.weight.npy", lenet::npy_write(ts.front()));
            // float64 .npy written by hand.
            lenet::NpyTensor t = ts.front();
            std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" ;
            for (size_t i = 0; i < t.shape.size(); i++) dict += (i ? ", " : "") + std::to_string(t.shape[i]);
            dict += "), }";
            while ((10 + dict.size() + 1) % 64) dict += ' ';
            dict += '\n';
            Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
            le16(b, uint16_t(dict.size()));
            b.insert(b.end(), dict.begin(), dict.end());
            for (float f : t.data) {
                double d = f;
                uint64_t u;
                std::memcpy(&u, &d, 8);
                for (int k = 0; k < 8; k++) b.push_back(uint8_t(u >> (8 * k)));
            }
            put("npz", "C1.weight-f8.npy", b);
            // A native file cut in the middle of the tensors, and one with a flipped CRC.
            Bytes w = lenet::weights_to_bytes(n);
            Bytes cut(w.begin(), w.begin() + long(w.size() / 2));
            put("weights", "tiny-truncated.lenet", cut);
            w.back() ^= 1;
            put("weights", "tiny-badcrc.lenet", w);
            // The tiny network on a 28x28 input as ONNX (every layer pattern, small), and cut short.
            std::string json = fuzz::tiny_arch_json();
            json.replace(json.find("[1, 12, 12]"), 11, "[1, 28, 28]");
            lenet::Network t28(lenet::arch_from_json(json, "tiny28"));
            t28.init(5);
            Bytes o = lenet::onnx_from_network(t28);
            put("onnx", "tiny28.onnx", o);
            put("onnx", "tiny28-truncated.onnx", Bytes(o.begin(), o.begin() + long(o.size() / 2)));
        }
    }
}

// ---- arch -----------------------------------------------------------------------------------------
void seeds_arch() {
    for (const auto& e : fs::directory_iterator(fs::path(LENET_SOURCE_DIR) / "assets" / "arch")) {
        std::ifstream f(e.path(), std::ios::binary);
        std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        put("arch", "asset-" + e.path().filename().string(), s);
    }
    for (const std::string& name : lenet::arch_preset_names())
        put("arch", "preset-" + name + ".json", lenet::arch_to_json(lenet::arch_preset(name)));
    put("arch", "tiny.json", std::string(fuzz::tiny_arch_json()));
    put("arch", "min.json",
        R"({"name":"m","input":[1,4,4],"layers":[{"name":"F","type":"full","units":2}]})");
    put("arch", "pad-stride.json",
        R"({"name":"p","input":[3,28,28],"loss":"xent","layers":[{"name":"C1","type":"conv","maps":4,"kernel":5,"stride":2,"padding":2,"activation":"relu"},{"name":"P","type":"pool","mode":"avg","size":3,"stride":2},{"name":"O","type":"full","units":10,"activation":"sigmoid"}]})");
    put("arch", "map.json",
        R"({"name":"m","input":[1,32,32],"loss":"map","map_j":0.5,"input_norm":"paper","layers":[{"name":"C1","type":"conv","maps":6,"kernel":5,"activation":"scaled_tanh"},{"name":"S2","type":"pool","mode":"subsample","size":2},{"name":"C3","type":"conv","maps":16,"kernel":5,"table":"lenet5-table1"},{"name":"F","type":"full","units":84},{"name":"OUTPUT","type":"rbf","units":10,"prototypes":"digits-7x12"}]})");
    put("arch", "bad-dup.json",
        R"({"name":"d","input":[1,8,8],"layers":[{"name":"A","type":"full","units":4},{"name":"A","type":"full","units":2}]})");
    put("arch", "deep.json", std::string(200, '[') + std::string(200, ']'));
}

// ---- images ---------------------------------------------------------------------------------------
void to_bytes(void* ctx, void* data, int size) {
    Bytes* b = static_cast<Bytes*>(ctx);
    const uint8_t* p = static_cast<const uint8_t*>(data);
    b->insert(b->end(), p, p + size);
}

void seeds_image() {
    const int W = 24, H = 20;
    std::vector<uint8_t> dark(W * H), light(W * H), ga(W * H * 2), rgb(W * H * 3);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            bool ink = (x - 12) * (x - 12) + (y - 10) * (y - 10) < 36 && (x - 12) * (x - 12) + (y - 10) * (y - 10) > 9;
            dark[y * W + x] = ink ? 240 : 10;
            light[y * W + x] = ink ? 20 : 250;
            ga[2 * (y * W + x)] = 0;
            ga[2 * (y * W + x) + 1] = ink ? 255 : 0;
            for (int c = 0; c < 3; c++) rgb[3 * (y * W + x) + c] = ink ? uint8_t(40 * c) : 255;
        }
    Bytes b;
    stbi_write_png_to_func(to_bytes, &b, W, H, 1, dark.data(), W);     put("image", "dark.png", b); b.clear();
    stbi_write_png_to_func(to_bytes, &b, W, H, 1, light.data(), W);    put("image", "light.png", b); b.clear();
    stbi_write_png_to_func(to_bytes, &b, W, H, 2, ga.data(), W * 2);   put("image", "alpha.png", b); b.clear();
    stbi_write_png_to_func(to_bytes, &b, W, H, 3, rgb.data(), W * 3);  put("image", "rgb.png", b); b.clear();
    stbi_write_bmp_to_func(to_bytes, &b, W, H, 3, rgb.data());         put("image", "rgb.bmp", b); b.clear();
    stbi_write_jpg_to_func(to_bytes, &b, W, H, 1, light.data(), 80);   put("image", "light.jpg", b); b.clear();
    std::string hdr = "P5\n# a comment\n" + std::to_string(W) + " " + std::to_string(H) + "\n255\n";
    b.assign(hdr.begin(), hdr.end());
    b.insert(b.end(), light.begin(), light.end());
    put("image", "light.pgm", b);
    hdr = "P5 4 3 65535\n";
    b.assign(hdr.begin(), hdr.end());
    for (int i = 0; i < 12; i++) { b.push_back(uint8_t(i * 20)); b.push_back(0); }
    put("image", "16bit.pgm", b);
    hdr = "P6 3 2 255\n";
    b.assign(hdr.begin(), hdr.end());
    for (int i = 0; i < 18; i++) b.push_back(uint8_t(i * 14));
    put("image", "tiny.ppm", b);
    // Raw bytes for the preprocess_gray mode: first byte 27 -> width 28.
    b.assign(1, 27);
    for (int i = 0; i < 28 * 28; i++) b.push_back(uint8_t((i % 28 > 10 && i % 28 < 16 && i / 28 > 4 && i / 28 < 24) ? 255 : 0));
    put("image", "raw-28x28", b);
}

// ---- hash -----------------------------------------------------------------------------------------
void seeds_hash() {
    const char* hs[] = {
        "#arch=lenet5-1998&sample=123&layer=C3&unit=4,5,6",
        "#arch=lenet5&data=fashion&input=test&sample=0&layer=3&unit=7&view=pre",
        "arch=lenet5-relu&input=draw&view=post",
        "#layer=OUTPUT&unit=9&sample=9999999",
        "#arch=%6Cenet5&layer=C%31&bogus=1&sample=-3&unit=1,2",
        "#sample=99999999999999999999&arch=&&=&layer=%zz",
        "#sample=0&layer=C1&lab=dx:3,rotate:20,scale:0.85,noise:0.1,seed:7,sweep:scale",
        "#lab=rotate:-12.345678901,dy:-0,shear:0.000000001,seed:18446744073709551615",
        "#lab=&sample=1",
        "#lab=rot:20,rotate:x,rotate:5,dx:1e3,dx:NaN,seed:-1,sweep:zoom,thickness:,:,,noise",
        "",
    };
    int i = 0;
    for (const char* h : hs) put("hash", "h" + std::to_string(i++), std::string(h));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
        return 2;
    }
    g_out = argv[1];
    try {
        seeds_idx();
        seeds_weights_npz();
        seeds_arch();
        seeds_image();
        seeds_hash();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_seeds: %s\n", e.what());
        return 1;
    }
    std::printf("make_seeds: wrote %d seed files under %s\n", g_count, g_out.c_str());
    return 0;
}
