// test_idx_loader.cpp — lenet::IdxLoader (idx files read a slice of images at a time) against
// lenet::load_idx: the same Dataset, byte for byte, whatever the slice size, and on bad files the
// same error (kind and message, naming the file) at the same point: the constructor.
#include "io_fixtures.h"

#include <climits>
#include <functional>

using namespace fixtures;
using lenet::ErrorKind;

namespace {

// Reads the whole set through the loader, n images per step.
lenet::Dataset load_sliced(const std::string& images, const std::string& labels, int n) {
    lenet::IdxLoader loader(images, labels);
    int steps = 0;
    while (!loader.step(n)) {
        REQUIRE(loader.done() < loader.total());
        steps++;
    }
    CHECK(loader.done() == loader.total());
    if (n > 0 && loader.total() > 0) CHECK(steps == (int64_t(loader.total()) + n - 1) / n - 1);
    return loader.take();
}

void check_same(const lenet::Dataset& a, const lenet::Dataset& b) {
    CHECK(a.name == b.name);
    CHECK(a.count == b.count);
    CHECK(a.rows == b.rows);
    CHECK(a.cols == b.cols);
    CHECK(a.pixels == b.pixels);
    CHECK(a.labels == b.labels);
    CHECK(a.class_names == b.class_names);
}

// Both loaders on the same pair of files: both fail with the same error, or neither does and the
// results are equal.
void check_same_outcome(const std::string& images, const std::string& labels) {
    lenet::Dataset whole, sliced;
    Caught a = catch_error([&] { whole = lenet::load_idx(images, labels); });
    Caught b = catch_error([&] { sliced = load_sliced(images, labels, 7); });
    CHECK(a.thrown == b.thrown);
    CHECK(a.kind == b.kind);
    CHECK(a.what == b.what);
    if (!a.thrown && !b.thrown) check_same(whole, sliced);
}

// n images of rows x cols with varied bytes, and labels 0..9.
struct Synth {
    Bytes pixels, labels;
    Synth(int n, int rows, int cols) {
        pixels.resize(size_t(n) * rows * cols);
        for (size_t i = 0; i < pixels.size(); i++) pixels[i] = uint8_t((i * 2654435761u) >> 13);
        for (int i = 0; i < n; i++) labels.push_back(uint8_t((i * 7 + 3) % 10));
    }
};

}  // namespace

TEST_SUITE("data") {

TEST_CASE("idx loader: the same Dataset as load_idx for every slice size") {
    const Synth s(1000, 28, 28);
    TempDir dir;
    const std::string ip = dir.write("train-images-idx3-ubyte", idx_images(1000, 28, 28, s.pixels));
    const std::string lp = dir.write("train-labels-idx1-ubyte", idx_labels(1000, s.labels));
    const lenet::Dataset ref = lenet::load_idx(ip, lp);
    REQUIRE(ref.count == 1000);
    for (int n : {1, 7, 999, 1000, 1001, INT_MAX}) {
        CAPTURE(n);
        check_same(load_sliced(ip, lp, n), ref);
    }
    SUBCASE("step(0) and negative steps read nothing; take() before the end is refused") {
        lenet::IdxLoader loader(ip, lp);
        CHECK(loader.total() == 1000);
        CHECK_FALSE(loader.step(0));
        CHECK_FALSE(loader.step(-5));
        CHECK(loader.done() == 0);
        CHECK_FALSE(loader.step(600));
        CHECK(loader.done() == 600);
        CHECK_LENET_ERROR(loader.take(), ErrorKind::Usage, "400 images still to read");
        CHECK(loader.step(600));
        CHECK(loader.step(1));  // done stays done
        check_same(loader.take(), ref);
    }
    SUBCASE("other image sizes and an empty set") {
        const Synth odd(5, 3, 17);
        const std::string oi = dir.write("odd-i", idx_images(5, 3, 17, odd.pixels));
        const std::string ol = dir.write("odd-l", idx_labels(5, odd.labels));
        check_same(load_sliced(oi, ol, 2), lenet::load_idx(oi, ol));
        const std::string ei = dir.write("empty-i", idx_images(0, 28, 28, {}));
        const std::string el = dir.write("empty-l", idx_labels(0, {}));
        lenet::IdxLoader empty(ei, el);
        CHECK(empty.total() == 0);
        CHECK(empty.step(1));
        check_same(empty.take(), lenet::load_idx(ei, el));
    }
}

TEST_CASE("idx loader: the real MNIST training set, as load_idx reads it") {
    const std::string dir = lenet::default_data_dir("mnist", LENET_SOURCE_DIR);
    const std::string ip = dir + "/train-images-idx3-ubyte", lp = dir + "/train-labels-idx1-ubyte";
    REQUIRE(std::filesystem::is_regular_file(ip));
    const lenet::Dataset ref = lenet::load_idx(ip, lp);
    REQUIRE(ref.count == 60000);
    check_same(load_sliced(ip, lp, 1000), ref);
}

TEST_CASE("idx loader: bad files give load_idx's errors, naming the file") {
    const Synth s(3, 28, 28);
    const Bytes img = idx_images(3, 28, 28, s.pixels), lab = idx_labels(3, s.labels);
    TempDir dir;
    const std::string good_i = dir.write("good-images", img), good_l = dir.write("good-labels", lab);
    // A bad images file (with good labels) and a bad labels file (with good images).
    auto bad_images = [&](const Bytes& b) { check_same_outcome(dir.write("bad-images", b), good_l); };
    auto bad_labels = [&](const Bytes& b) { check_same_outcome(good_i, dir.write("bad-labels", b)); };

    SUBCASE("truncated anywhere: in the header, in the pixels, in the labels") {
        for (size_t cut : {size_t(0), size_t(1), size_t(3), size_t(4), size_t(9), size_t(15), size_t(16),
                           size_t(17), img.size() / 2, img.size() - 1}) {
            CAPTURE(cut);
            bad_images(prefix(img, cut));
        }
        for (size_t cut : {size_t(0), size_t(2), size_t(6), size_t(8), lab.size() - 1}) {
            CAPTURE(cut);
            bad_labels(prefix(lab, cut));
        }
        Caught c = catch_error([&] { lenet::IdxLoader l(dir.write("cut-images", prefix(img, img.size() - 1)), good_l); });
        CHECK(c.kind == ErrorKind::Format);
        CHECK(contains(c.what, dir.file("cut-images")));
        CHECK(contains(c.what, "truncated"));
    }
    SUBCASE("wrong magic: swapped files, other element types, not idx at all") {
        check_same_outcome(good_l, good_i);
        Bytes floats = img;
        floats[2] = 0x0D;
        bad_images(floats);
        bad_images(Bytes{'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'd', 'x', ' ', 'f', 'i', 'l', 'e', '!', '!'});
        Caught c = catch_error([&] { lenet::IdxLoader l(good_l, good_l); });
        CHECK(contains(c.what, "bad magic"));
        CHECK(contains(c.what, good_l));
    }
    SUBCASE("counts that disagree: with the file length, between the files, absurd ones") {
        bad_images(idx_images(4, 28, 28, s.pixels));
        Bytes extra = img;
        extra.push_back(0);
        bad_images(extra);
        bad_images(idx_images(0x80000000u, 28, 28, s.pixels));
        bad_images(idx_images(0x7FFFFFFFu, 28, 28, s.pixels));
        bad_images(idx_images(3, 0, 28, {}));
        bad_images(idx_images(3, 28, 5000, {}));
        bad_labels(idx_labels(2, {1, 2}));
        bad_labels(idx_labels(5, s.labels));
        bad_labels(idx_labels(0xFFFFFFFFu, s.labels));
        bad_labels(idx_labels(3, {1, 10, 2}));
        Caught c = catch_error([&] { lenet::IdxLoader l(good_i, dir.write("two", idx_labels(2, {1, 2}))); });
        CHECK(contains(c.what, "2 labels for 3 images"));
    }
    SUBCASE("missing files, folders, both files bad (the images file is named first)") {
        check_same_outcome(dir.file("nope"), good_l);
        check_same_outcome(good_i, dir.file("nope"));
        check_same_outcome(dir.path.string(), good_l);
        check_same_outcome(dir.write("e1", {}), dir.write("e2", {}));
        check_same_outcome(dir.write("b1", prefix(img, 5)), dir.write("b2", prefix(lab, 5)));
    }
    SUBCASE("gzip files: read whole, as load_idx does (or its no-zlib error)") {
        check_same_outcome(dir.write("i.gz", gzip_stored(img)), dir.write("l.gz", gzip_stored(lab)));
        check_same_outcome(good_i, dir.write("l2.gz", gzip_stored(lab)));
        check_same_outcome(dir.write("cut.gz", prefix(gzip_stored(img), 40)), good_l);
    }
}

}  // TEST_SUITE
