// image.cpp — image decoding (stb_image: PNG, PGM/PPM, BMP, JPEG) and MNIST-style preprocessing.
//
// MNIST's digits were size-normalised to fit a 20x20 box keeping their aspect ratio (anti-aliased),
// then centred in a 28x28 field by their centre of mass (LeCun et al. 1998, Section III.A; the MNIST
// page). preprocess_gray() does the same to any grayscale image: a photo or scan of a digit, or the
// UI's drawing pad, and keeps every step for display:
//   gray    — the input with ink high: inverted when the background (border mean) is light, then
//             levels stretched so the background is 0 and the darkest ink 255;
//   crop    — the bounding box of the ink (pixels above 1/8 of full scale);
//   fit20   — the crop resampled by area averaging so its longer side is 20, centred in 20x20;
//   mnist28 — that 20x20 box in a 28x28 frame, shifted (whole pixels) so the centre of mass is at the
//             frame's centre; the shift is clamped so no ink leaves the frame.
// The stb_image implementation is compiled in image_decoder.cpp, limited to the four formats we
// accept and to kMaxImageSide pixels per side, checked from the header before decoding.
#include "lenet/lenet.h"

#include "io_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "image_decoder_config.h"  // the implementation is image_decoder.cpp

static_assert(STBI_MAX_DIMENSIONS == lenet::kMaxImageSide, "keep stb's limit and ours equal");

namespace lenet {

namespace {

constexpr size_t kMaxImageFileBytes = size_t(64) << 20;
constexpr int    kInkThreshold = 32;   // of 255, after the levels stretch: what counts as ink for the crop
constexpr int    kMinContrast = 24;    // darkest ink minus background below this: no ink at all

// Resample src (sw x sh) to (dw x dh) by area averaging: each output pixel is the mean of the source
// area it covers, with partial pixels weighted by their overlap (a box filter; also fine for enlarging).
std::vector<uint8_t> resample_area(const uint8_t* src, int sw, int sh, int dw, int dh) {
    // Separable: rows first into floats, then columns.
    auto weights = [](int s, int d) {
        // For each destination index: list of (source index, weight), weights summing to 1.
        std::vector<std::vector<std::pair<int, float>>> w(static_cast<size_t>(d));
        const double scale = double(s) / d;
        for (int i = 0; i < d; i++) {
            double a = i * scale, b = (i + 1) * scale;
            int first = int(std::floor(a)), last = std::min(s - 1, int(std::ceil(b)) - 1);
            for (int k = first; k <= last; k++) {
                double ov = std::min(b, double(k + 1)) - std::max(a, double(k));
                if (ov > 1e-12) w[size_t(i)].push_back({k, float(ov / scale)});
            }
        }
        return w;
    };
    auto wx = weights(sw, dw), wy = weights(sh, dh);
    std::vector<float> tmp(size_t(sh) * dw);
    for (int y = 0; y < sh; y++)
        for (int x = 0; x < dw; x++) {
            float acc = 0;
            for (auto& p : wx[size_t(x)]) acc += p.second * src[size_t(y) * sw + p.first];
            tmp[size_t(y) * dw + x] = acc;
        }
    std::vector<uint8_t> out(size_t(dw) * dh);
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            float acc = 0;
            for (auto& p : wy[size_t(y)]) acc += p.second * tmp[size_t(p.first) * dw + x];
            out[size_t(y) * dw + x] = uint8_t(std::min(255.0f, std::max(0.0f, std::round(acc))));
        }
    return out;
}

// stb_image 2.27 neither checks that a binary PGM/PPM holds all its pixels (the rest of its buffer
// is left uninitialised) nor guards its header integers against overflow: check those ourselves.
void check_pnm(const uint8_t* b, size_t n, const std::string& where) {
    if (n < 2 || b[0] != 'P' || (b[1] != '5' && b[1] != '6')) return;
    auto space = [](uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
    size_t i = 2;
    long v[3] = {0, 0, 0};
    const char* names[3] = {"width", "height", "maximum value"};
    for (int k = 0; k < 3; k++) {
        for (;;) {  // whitespace and # comments
            while (i < n && space(b[i])) i++;
            if (i < n && b[i] == '#') {
                while (i < n && b[i] != '\n' && b[i] != '\r') i++;
                continue;
            }
            break;
        }
        if (i >= n || b[i] < '0' || b[i] > '9')
            throw Error(ErrorKind::Format, where, std::string("bad or truncated PNM header: no ") + names[k]);
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            v[k] = v[k] * 10 + (b[i++] - '0');
            if (v[k] > 65535) throw Error(ErrorKind::Format, where, std::string("PNM ") + names[k] + " is absurdly large");
        }
    }
    if (i >= n || !space(b[i])) throw Error(ErrorKind::Format, where, "bad or truncated PNM header");
    i++;
    if (v[0] < 1 || v[1] < 1 || v[0] > kMaxImageSide || v[1] > kMaxImageSide)
        throw Error(ErrorKind::Format, where,
                    "image is " + std::to_string(v[0]) + "x" + std::to_string(v[1]) + ", not in 1.." +
                        std::to_string(kMaxImageSide) + " pixels per side");
    if (v[2] < 1) throw Error(ErrorKind::Format, where, "PNM maximum value is 0");
    // stb_image 2.27 converts a 16-bit PPM to gray with its 8-bit routine and reads past its buffer
    // (fixed upstream in 2.28; tests/corpus/image/crash-ppm-16bit-gray-conversion). 16-bit PGM needs
    // no conversion.
    if (b[1] == '6' && v[2] > 255)
        throw Error(ErrorKind::Format, where, "16-bit colour PPM is not supported: save it as 8-bit PPM, PGM or PNG");
    size_t need = size_t(v[0]) * size_t(v[1]) * (b[1] == '6' ? 3 : 1) * (v[2] > 255 ? 2 : 1);
    if (n - i < need)
        throw Error(ErrorKind::Format, where,
                    "truncated: PNM pixel data needs " + with_commas(need) + " bytes, the file has " +
                        with_commas(n - i));
}

// stb_image 2.27 (Debian's) does not check that a JPEG Huffman table (DHT) declares at most 256
// codes, and then writes past its tables (fixed upstream in 2.28; tests/corpus/image/crash-jpeg-dht-*).
// Walk the markers as stb does (bytes past the end read as 0, as stb's reader returns) and refuse it.
void check_jpeg(const uint8_t* b, size_t n, const std::string& where) {
    size_t i = 0;
    while (i < n && b[i] == 0xFF) i++;  // stb accepts fill bytes before SOI too
    if (i == 0 || i >= n || b[i] != 0xD8) return;
    i++;
    auto at = [&](size_t k) -> unsigned { return k < n ? b[k] : 0u; };
    while (i < n) {
        if (b[i] != 0xFF) { i++; continue; }  // entropy-coded data: skipped
        while (i < n && b[i] == 0xFF) i++;    // fill bytes
        if (i >= n) return;
        const unsigned m = b[i++];
        if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length field
        if (m == 0xD9) return;  // end of image
        const size_t len = size_t(at(i)) << 8 | at(i + 1);
        if (m == 0xC4) {
            for (size_t p = i + 2; p < i + len;) {
                unsigned total = 0;
                for (size_t k = 0; k < 16; k++) total += at(p + 1 + k);
                if (total > 256)
                    throw Error(ErrorKind::Format, where,
                                "corrupt JPEG: a Huffman table declares " + std::to_string(total) + " codes (at most 256)");
                p += 17 + total;
            }
        }
        if (len < 2) return;  // stb reports the bad length itself
        i += len;
    }
}

const uint8_t kPngSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
bool is_png(const uint8_t* b, size_t n) { return n >= 8 && std::memcmp(b, kPngSig, 8) == 0; }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

// stb_image 2.27 memcpy()s from a null buffer when a PNG's first IDAT chunk is empty (undefined
// behaviour; tests/corpus/image/crash-png-empty-first-idat). Empty IDAT chunks carry nothing: drop
// them. Returns the filtered bytes, or an empty vector when there is nothing to drop.
std::vector<uint8_t> without_empty_idat(const uint8_t* b, size_t n) {
    if (!is_png(b, n)) return {};
    std::vector<uint8_t> out;
    size_t pos = 8, copied = 0;
    while (pos + 8 <= n) {
        const uint32_t len = be32(b + pos);
        if (len == 0 && std::memcmp(b + pos + 4, "IDAT", 4) == 0) {
            out.insert(out.end(), b + copied, b + pos);
            copied = std::min(n, pos + 12);  // length, type, CRC
        }
        if (uint64_t(len) + 12 > n - pos) break;
        pos += 12 + size_t(len);
    }
    if (copied == 0) return {};
    out.insert(out.end(), b + copied, b + n);
    return out;
}

// stb_image 2.27 grows its IDAT buffer to a chunk's declared length before reading the chunk, so a
// 135-byte PNG that claims a 2 GB IDAT makes it allocate 2 GB (tests/corpus/image/oom-*). A
// chunk whose data cannot be in the file is refused first; chunks after IEND are not looked at.
void check_png_chunks(const uint8_t* b, size_t n, const std::string& where) {
    if (!is_png(b, n)) return;
    size_t pos = 8;
    while (pos + 8 <= n) {
        const uint32_t len = be32(b + pos);
        const std::string type(reinterpret_cast<const char*>(b + pos + 4), 4);
        if (uint64_t(len) > n - pos - 8) {
            std::string name;
            for (char c : type) name += (c >= 0x20 && c < 0x7f) ? c : '?';
            throw Error(ErrorKind::Format, where,
                        "truncated PNG: chunk '" + name + "' at byte " + std::to_string(pos) + " claims " +
                            with_commas(len) + " bytes, the file has " + with_commas(n - pos - 8) +
                            " after its header");
        }
        if (type == "IEND") return;
        pos += 12 + size_t(len);
    }
}

}  // namespace

GrayImage decode_image(const uint8_t* bytes, size_t size, const std::string& where) {
    if (size == 0 || !bytes) throw Error(ErrorKind::Format, where, "empty file (0 bytes)");
    if (size > kMaxImageFileBytes)
        throw Error(ErrorKind::Format, where, "image file larger than " + with_commas(kMaxImageFileBytes) + " bytes");
    if (size > size_t(INT32_MAX)) throw Error(ErrorKind::Format, where, "image file too large");
    check_pnm(bytes, size, where);
    // A PNG too large for stb: say so (stb_image_info only reports "unknown image type" then).
    if (size >= 24 && is_png(bytes, size)) {
        const uint32_t pw = be32(bytes + 16), ph = be32(bytes + 20);
        if (pw > uint32_t(kMaxImageSide) || ph > uint32_t(kMaxImageSide))
            throw Error(ErrorKind::Format, where,
                        "image is " + std::to_string(pw) + "x" + std::to_string(ph) + ", not in 1.." +
                            std::to_string(kMaxImageSide) + " pixels per side");
    }
    check_jpeg(bytes, size, where);
    check_png_chunks(bytes, size, where);
    const std::vector<uint8_t> filtered = without_empty_idat(bytes, size);
    if (!filtered.empty()) {
        bytes = filtered.data();
        size = filtered.size();
    }
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(bytes, int(size), &w, &h, &comp))
        throw Error(ErrorKind::Format, where,
                    std::string("not a PNG, PGM/PPM, BMP or JPEG image we can read (") + stbi_failure_reason() + ")");
    if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide)
        throw Error(ErrorKind::Format, where,
                    "image is " + std::to_string(w) + "x" + std::to_string(h) + ", not in 1.." +
                        std::to_string(kMaxImageSide) + " pixels per side");
    const bool alpha = comp == 2 || comp == 4;
    int got_w = 0, got_h = 0, got_comp = 0;
    stbi_uc* px = stbi_load_from_memory(bytes, int(size), &got_w, &got_h, &got_comp, alpha ? 2 : 1);
    if (!px) throw Error(ErrorKind::Format, where, std::string("cannot decode the image (") + stbi_failure_reason() + ")");
    if (got_w != w || got_h != h) {
        stbi_image_free(px);
        throw Error(ErrorKind::Format, where, "image size changed while decoding");
    }
    GrayImage img;
    img.w = w;
    img.h = h;
    img.has_alpha = alpha;
    const size_t n = size_t(w) * h;
    img.pixels.resize(n);
    if (alpha) {
        img.alpha.resize(n);
        for (size_t i = 0; i < n; i++) {
            unsigned g = px[2 * i], a = px[2 * i + 1];
            img.alpha[i] = uint8_t(a);
            img.pixels[i] = uint8_t((g * a + 255u * (255u - a) + 127u) / 255u);  // composite on white
        }
    } else {
        std::memcpy(img.pixels.data(), px, n);
    }
    stbi_image_free(px);
    return img;
}

GrayImage load_image(const std::string& path) {
    std::vector<uint8_t> bytes = io::read_file(path, kMaxImageFileBytes);
    return decode_image(bytes.data(), bytes.size(), path);
}

Preprocessed preprocess_gray(const uint8_t* gray, int w, int h) {
    if (!gray || w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide)
        throw Error(ErrorKind::Usage, "preprocess",
                    "image size " + std::to_string(w) + "x" + std::to_string(h) + " is not in 1.." +
                        std::to_string(kMaxImageSide));
    Preprocessed r;
    r.gray_w = w;
    r.gray_h = h;
    r.fit20.assign(20 * 20, 0);
    r.mnist28.assign(28 * 28, 0);
    const size_t n = size_t(w) * h;

    // 1. Background from the border ring: its mean decides light vs dark, its median is the level.
    int hist[256] = {0};
    size_t border = 0;
    uint64_t border_sum = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (y != 0 && y != h - 1 && x != 0 && x != w - 1) continue;
            uint8_t v = gray[size_t(y) * w + x];
            hist[v]++;
            border_sum += v;
            border++;
        }
    r.inverted = border_sum > border * 127;
    r.gray.resize(n);
    for (size_t i = 0; i < n; i++) r.gray[i] = r.inverted ? uint8_t(255 - gray[i]) : gray[i];
    int bg = 0;
    {
        size_t seen = 0;
        // median of the border after the same inversion
        for (int v = 0; v < 256; v++) {
            seen += size_t(hist[r.inverted ? 255 - v : v]);
            if (seen * 2 >= border) { bg = v; break; }
        }
    }
    int top = 0;
    for (size_t i = 0; i < n; i++) top = std::max(top, int(r.gray[i]));
    if (top - bg < kMinContrast) return r;  // blank: no ink

    // 2. Levels stretch: background -> 0, darkest ink -> 255.
    for (size_t i = 0; i < n; i++) {
        int v = (int(r.gray[i]) - bg) * 255 / (top - bg);
        r.gray[i] = uint8_t(std::min(255, std::max(0, v)));
    }

    // 3. Crop to the ink's bounding box.
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (r.gray[size_t(y) * w + x] > kInkThreshold) {
                x0 = std::min(x0, x); x1 = std::max(x1, x);
                y0 = std::min(y0, y); y1 = std::max(y1, y);
            }
    if (x1 < 0) return r;
    r.crop_x = x0;
    r.crop_y = y0;
    r.crop_w = x1 - x0 + 1;
    r.crop_h = y1 - y0 + 1;
    r.crop.resize(size_t(r.crop_w) * r.crop_h);
    for (int y = 0; y < r.crop_h; y++)
        std::memcpy(&r.crop[size_t(y) * r.crop_w], &r.gray[size_t(y0 + y) * w + x0], size_t(r.crop_w));

    // 4. Fit the longer side to 20 pixels, keeping the aspect ratio; centre the box in 20x20.
    const int longer = std::max(r.crop_w, r.crop_h);
    r.fit_w = std::max(1, std::min(20, int(std::lround(20.0 * r.crop_w / longer))));
    r.fit_h = std::max(1, std::min(20, int(std::lround(20.0 * r.crop_h / longer))));
    std::vector<uint8_t> fitted = resample_area(r.crop.data(), r.crop_w, r.crop_h, r.fit_w, r.fit_h);
    const int fx = (20 - r.fit_w) / 2, fy = (20 - r.fit_h) / 2;
    for (int y = 0; y < r.fit_h; y++)
        std::memcpy(&r.fit20[size_t(fy + y) * 20 + fx], &fitted[size_t(y) * r.fit_w], size_t(r.fit_w));

    // 5. Centre of mass to the middle of 28x28 (13.5 in pixel-index coordinates).
    double sum = 0, sx = 0, sy = 0;
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 20; x++) {
            double v = r.fit20[size_t(y) * 20 + x];
            sum += v; sx += v * (x + 4); sy += v * (y + 4);
        }
    if (sum <= 0) return r;  // everything resampled away (cannot happen with ink above threshold)
    int dx = int(std::lround(13.5 - sx / sum)), dy = int(std::lround(13.5 - sy / sum));
    // Keep the digit's box inside the frame.
    const int bx = 4 + fx, by = 4 + fy;
    dx = std::max(-bx, std::min(28 - (bx + r.fit_w), dx));
    dy = std::max(-by, std::min(28 - (by + r.fit_h), dy));
    r.shift_x = dx;
    r.shift_y = dy;
    for (int y = 0; y < r.fit_h; y++)
        std::memcpy(&r.mnist28[size_t(by + dy + y) * 28 + (bx + dx)], &fitted[size_t(y) * r.fit_w], size_t(r.fit_w));
    r.empty = false;
    return r;
}

Preprocessed preprocess_image(const GrayImage& img) {
    if (img.w <= 0 || img.h <= 0 || img.pixels.size() != size_t(img.w) * img.h)
        throw Error(ErrorKind::Usage, "preprocess", "image buffer does not match its size");
    if (img.has_alpha && img.alpha.size() == img.pixels.size()) {
        // A transparent background (mean border alpha below half): the alpha channel is the ink,
        // whatever colour it was drawn in.
        uint64_t sum = 0, count = 0;
        for (int y = 0; y < img.h; y++)
            for (int x = 0; x < img.w; x++)
                if (y == 0 || y == img.h - 1 || x == 0 || x == img.w - 1) { sum += img.alpha[size_t(y) * img.w + x]; count++; }
        if (sum < count * 128) return preprocess_gray(img.alpha.data(), img.w, img.h);
    }
    return preprocess_gray(img.pixels.data(), img.w, img.h);
}

Preprocessed preprocess_image_file(const std::string& path) { return preprocess_image(load_image(path)); }

}  // namespace lenet
