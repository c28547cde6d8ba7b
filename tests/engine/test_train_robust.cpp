// test_train_robust.cpp — training and saving under hostile conditions: absurd learning
// rates, empty data, batches larger than the data, an interruption mid-pass whose saved weights load
// and evaluate, and saves that fail (full disk, /dev/full, missing folder, NaN weights) without ever
// replacing a good weights file.
#include "io_fixtures.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <cmath>
#include <csignal>
#include <filesystem>

using fixtures::Bytes;
using lenet::ErrorKind;

namespace {

// N synthetic 28x28 digits: label k is a vertical bar at column 4 + 2k (learnable, deterministic).
lenet::Dataset bars(int n) {
    lenet::Dataset d;
    d.name = "bars";
    d.count = n;
    d.rows = d.cols = 28;
    d.pixels.assign(size_t(n) * 784, 0);
    d.class_names = lenet::class_names("mnist");
    for (int i = 0; i < n; i++) {
        const int k = i % 10;
        d.labels.push_back(uint8_t(k));
        for (int y = 6; y < 22; y++) {
            d.pixels[size_t(i) * 784 + size_t(y) * 28 + size_t(4 + 2 * k)] = 255;
            d.pixels[size_t(i) * 784 + size_t(y) * 28 + size_t(5 + 2 * k)] = uint8_t(128 + i % 100);
        }
    }
    return d;
}

bool all_finite(const std::vector<float>& v) {
    for (float f : v)
        if (!std::isfinite(f)) return false;
    return true;
}

bool same_eval(const lenet::EvalResult& a, const lenet::EvalResult& b) {
    return a.count == b.count && a.errors == b.errors && a.confusion == b.confusion;
}

// Restores RLIMIT_FSIZE and SIGXFSZ at scope exit.
struct FileSizeLimit {
    rlimit old{};
    void (*old_handler)(int) = nullptr;
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
        old_handler = std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
        rlimit lim = old;
        lim.rlim_cur = bytes;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
    }
};

int leftover_temp_files(const std::filesystem::path& dir) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) n++;
    return n;
}

bool is_char_device(const char* p) {
    struct stat st;
    return ::stat(p, &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

TEST_SUITE("train-robust") {

TEST_CASE("robust: learning rate 1e3 (and the maximum 1e6) never leaves NaN/Inf weights") {
    const lenet::Dataset data = bars(20);
    for (const char* arch : {"lenet5", "lenet5-1998", "lenet5-relu"}) {
        for (float lr : {1e3f, 1e6f}) {
            CAPTURE(arch);
            CAPTURE(lr);
            lenet::Network net(lenet::arch_preset(arch));
            net.init(3);
            lenet::TrainConfig cfg;
            cfg.lr = lr;
            cfg.shuffle = false;
            lenet::Trainer tr(net, data, cfg);
            bool diverged = false;
            for (int call = 0; call < 4 && !diverged; call++) {
                const std::vector<float> before = net.params();
                lenet::TrainProgress p = tr.step(5);
                CHECK(all_finite(net.params()));
                if (p.diverged) {
                    diverged = true;
                    CHECK(net.params() == before);  // the last good weights are back
                    CHECK(fixtures::contains(p.message, "diverged"));
                    CHECK(fixtures::contains(p.message, "smaller learning rate"));
                    CHECK(tr.step(5).done == 0);     // stopped: further steps do nothing
                }
            }
            // Whatever happened, the network still evaluates and saves.
            lenet::EvalResult r = lenet::evaluate(net, data);
            CHECK(r.count == 20);
            CHECK(r.errors <= r.count);
            CHECK_NOTHROW(lenet::weights_to_bytes(net));
        }
    }
}

TEST_CASE("robust: learning rates 0, negative, NaN, Inf and above 1e6 are refused and change nothing") {
    const lenet::Dataset data = bars(10);
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(4);
    const std::vector<float> before = net.params();
    for (float lr : {0.0f, -0.01f, std::nanf(""), INFINITY, 2e6f}) {
        CAPTURE(lr);
        lenet::TrainConfig cfg;
        cfg.lr = lr;
        CHECK_LENET_ERROR(lenet::Trainer(net, data, cfg), ErrorKind::Value, "lr: ");
        CHECK_LENET_ERROR(lenet::Trainer(net, data, cfg), ErrorKind::Value, "out of range");
    }
    lenet::TrainConfig bad_batch;
    bad_batch.batch = 0;
    CHECK_LENET_ERROR(lenet::Trainer(net, data, bad_batch), ErrorKind::Value, "batch");
    CHECK(net.params() == before);
}

TEST_CASE("robust: an empty data set is refused for training and evaluates to nothing") {
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(5);
    const std::vector<float> before = net.params();
    lenet::Dataset empty = bars(0);
    CHECK_LENET_ERROR(lenet::Trainer(net, empty, lenet::TrainConfig{}), ErrorKind::Value, "empty");
    lenet::Dataset blank;  // default-constructed: no rows, no columns either
    fixtures::Caught c = fixtures::catch_error([&] { lenet::Trainer t(net, blank, lenet::TrainConfig{}); });
    CHECK(c.thrown);
    CHECK(net.params() == before);
    lenet::EvalResult r = lenet::evaluate(net, empty);
    CHECK(r.count == 0);
    CHECK(r.errors == 0);
    CHECK(r.error_rate() == 0.0f);
    lenet::Evaluator ev(net, empty);
    CHECK(ev.step(100));
    CHECK(ev.finished());
    // An idx pair holding zero images loads (it is well-formed) and is refused by the trainer.
    fixtures::TempDir dir;
    lenet::Dataset zero = lenet::load_idx(dir.write("i", fixtures::idx_images(0, 28, 28, {})),
                                          dir.write("l", fixtures::idx_labels(0, {})));
    CHECK(zero.count == 0);
    CHECK_LENET_ERROR(lenet::Trainer(net, zero, lenet::TrainConfig{}), ErrorKind::Value, "the training set is empty");
}

TEST_CASE("robust: a batch larger than the data set makes one update per pass") {
    const lenet::Dataset data = bars(10);
    for (int threads : {1, 2}) {
        CAPTURE(threads);
        lenet::Network net(lenet::arch_preset("lenet5"));
        net.init(6);
        const std::vector<float> before = net.params();
        lenet::TrainConfig cfg;
        cfg.batch = 64;
        cfg.lr = 0.05f;
        cfg.threads = threads;
        lenet::Trainer tr(net, data, cfg);
        lenet::TrainProgress p = tr.step(1000);
        CHECK(p.done == 10);
        CHECK(p.epoch_end);
        CHECK(p.updates == 1);
        CHECK(p.epoch_size == 10);
        CHECK(net.params() != before);
        CHECK(all_finite(net.params()));
        p = tr.step(1000);
        CHECK(p.epoch == 1);
        CHECK(p.updates == 2);
    }
}

TEST_CASE("robust: weights saved when training is interrupted mid-pass load and evaluate the same") {
    const lenet::Dataset data = bars(30);
    fixtures::TempDir dir;
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(7);
    std::vector<float> at_interrupt;
    lenet::EvalResult eval_at_interrupt;
    {
        lenet::TrainConfig cfg;
        cfg.lr = 0.02f;
        cfg.batch = 4;  // the interruption falls inside a batch: 7 = 4 + 3
        lenet::Trainer tr(net, data, cfg);
        lenet::TrainProgress p = tr.step(7);
        REQUIRE(p.position == 7);
        REQUIRE_FALSE(p.epoch_end);
        // Ctrl-C: the CLI saves the current weights and exits; the trainer is destroyed mid-pass.
        lenet::save_weights(net, dir.file("interrupted.lenet"));
        lenet::save_any_weights(net, dir.file("interrupted.npz"));
        at_interrupt = net.params();
        eval_at_interrupt = lenet::evaluate(net, data);
    }
    lenet::Network back = lenet::load_weights(dir.file("interrupted.lenet"));
    CHECK(back.params() == at_interrupt);
    CHECK(same_eval(lenet::evaluate(back, data), eval_at_interrupt));
    lenet::Network from_npz = lenet::load_any_weights(dir.file("interrupted.npz"), "lenet5");
    CHECK(from_npz.params() == at_interrupt);
    CHECK(same_eval(lenet::evaluate(from_npz, data), eval_at_interrupt));
    // Training resumes from the saved weights.
    lenet::TrainConfig cfg;
    lenet::Trainer again(back, data, cfg);
    CHECK(again.step(30).done == 30);
    CHECK(all_finite(back.params()));
    CHECK(leftover_temp_files(dir.path) == 0);
}

TEST_CASE("robust: a full disk never replaces a good weights file (native and npz)") {
#ifdef __EMSCRIPTEN__
    MESSAGE("skipped in wasm: node's file system has no file size limit (RLIMIT_FSIZE) to fill the disk with");
    return;
#endif
    fixtures::TempDir dir;
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(8);
    for (const char* name : {"best.lenet", "best.npz"}) {
        CAPTURE(name);
        const std::string path = dir.file(name);
        lenet::save_any_weights(net, path);
        const Bytes good = fixtures::read_all(path);
        REQUIRE(good.size() > 200000);
        lenet::Network changed = net;
        changed.init(9);
        fixtures::Caught c;
        {
            FileSizeLimit limit(64 * 1024);  // the disk fills up after 64 KB
            c = fixtures::catch_error([&] { lenet::save_any_weights(changed, path); });
        }
        CHECK(c.thrown);
        CHECK(c.kind == ErrorKind::Io);
        CHECK_MESSAGE(fixtures::contains(c.what, "the old file is kept"), c.what);
        CHECK(fixtures::contains(c.what, name));
        CHECK(fixtures::read_all(path) == good);
        CHECK(leftover_temp_files(dir.path) == 0);
        lenet::Network back = lenet::load_any_weights(path, "lenet5");
        CHECK(back.params() == net.params());
        // With space again, the save goes through.
        lenet::save_any_weights(changed, path);
        CHECK(lenet::load_any_weights(path, "lenet5").params() == changed.params());
    }
}

TEST_CASE("robust: saving to /dev/full fails cleanly and leaves the device alone; /dev/null works") {
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(10);
    if (is_char_device("/dev/full")) {
        CHECK_LENET_ERROR(lenet::save_weights(net, "/dev/full"), ErrorKind::Io, "No space left on device");
        CHECK_LENET_ERROR(lenet::save_any_weights(net, "/dev/full"), ErrorKind::Io, "/dev/full");
        CHECK(is_char_device("/dev/full"));
    }
    if (is_char_device("/dev/null")) {
        CHECK_NOTHROW(lenet::save_weights(net, "/dev/null"));
        CHECK(is_char_device("/dev/null"));  // not replaced by a regular file
    }
}

TEST_CASE("robust: saving into a missing folder, over a folder, or NaN weights fails and keeps the old file") {
    fixtures::TempDir dir;
    lenet::Network net(lenet::arch_preset("lenet5"));
    net.init(11);
    CHECK_LENET_ERROR(lenet::save_weights(net, dir.file("no/such/folder/w.lenet")), ErrorKind::Io, "cannot write");
    std::filesystem::create_directory(dir.file("adir"));
    CHECK_LENET_ERROR(lenet::save_weights(net, dir.file("adir")), ErrorKind::Io, "is a directory");
    CHECK_LENET_ERROR(lenet::save_any_weights(net, dir.file("adir")), ErrorKind::Io, "is a directory");
    const std::string path = dir.file("w.lenet");
    lenet::save_weights(net, path);
    const Bytes good = fixtures::read_all(path);
    lenet::Network bad = net;
    bad.params()[17] = std::nanf("");
    CHECK_LENET_ERROR(lenet::save_weights(bad, path), ErrorKind::Value, "refusing to save NaN/Inf weights");
    bad.params()[17] = INFINITY;
    CHECK_LENET_ERROR(lenet::save_any_weights(bad, dir.file("w.npz")), ErrorKind::Value, "NaN/Inf");
    CHECK(fixtures::read_all(path) == good);
    CHECK_FALSE(std::filesystem::exists(dir.file("w.npz")));
    CHECK(leftover_temp_files(dir.path) == 0);
}

}  // TEST_SUITE
