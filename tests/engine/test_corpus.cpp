// test_corpus.cpp — replays the fuzzers' regression inputs (tests/corpus/<target>/*, see scripts/fuzz)
// through the same parsers as tests/fuzz/fuzz_<target>.cpp: each input must either succeed or throw
// lenet::Error, never crash, throw anything else, or (under the asan preset) touch bad memory. A file
// that once crashed a parser stays here forever.
#include "io_fixtures.h"

#include "hash_parse.h"  // the library lenet_app_logic (web/logic.cmake)

#include <cmath>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;
using fixtures::Bytes;

namespace {

const fs::path kCorpus = fs::path(LENET_SOURCE_DIR) / "tests" / "corpus";

// Outcome of one input: "ok", "error", or "other" (a non-lenet exception: a failure).
template <class F>
std::string outcome(F&& f, std::string& detail) {
    try {
        f();
        return "ok";
    } catch (const lenet::Error& e) {
        detail = e.what();
        return e.message().empty() || e.where().empty() ? "other" : "error";
    } catch (const std::exception& e) {
        detail = std::string("unexpected exception: ") + e.what();
        return "other";
    } catch (...) {
        detail = "unexpected non-std exception";
        return "other";
    }
}

std::string replay(const std::string& target, const Bytes& b, std::string& detail) {
    const uint8_t* d = b.data();
    const size_t n = b.size();
    if (target == "idx") {
        return outcome([&] {
            if (n < 2) return;
            size_t L = size_t(d[0]) | size_t(d[1]) << 8;
            L = std::min(L, n - 2);
            lenet::Dataset ds = lenet::load_idx_memory(d + 2 + L, n - 2 - L, "images", d + 2, L, "labels");
            REQUIRE(ds.pixels.size() == size_t(ds.count) * size_t(ds.rows) * size_t(ds.cols));
        }, detail);
    }
    if (target == "npz") {
        return outcome([&] {
            if (n >= 6 && std::memcmp(d, "\x93NUMPY", 6) == 0) {
                (void)lenet::npy_read(d, n, "corpus.npy");
                return;
            }
            std::vector<lenet::NpyTensor> ts = lenet::npz_read(d, n, "corpus.npz");
            lenet::Network net(lenet::arch_preset("lenet5"));
            net.init(1);
            const std::vector<float> before = net.params();
            std::string inner;
            if (outcome([&] { lenet::set_tensors(net, ts, "corpus.npz"); }, inner) == "error")
                REQUIRE(net.params() == before);
        }, detail);
    }
    if (target == "weights")
        return outcome([&] { (void)lenet::weights_from_bytes(d, n, "corpus.lenet"); }, detail);
    if (target == "onnx")
        return outcome([&] { (void)lenet::network_from_onnx(d, n, "corpus.onnx"); }, detail);
    if (target == "arch")
        return outcome([&] {
            lenet::ArchSpec s = lenet::arch_from_json(std::string(b.begin(), b.end()), "corpus.json");
            lenet::Network net(s);
            REQUIRE(lenet::arch_to_json(lenet::arch_from_json(lenet::arch_to_json(s))) == lenet::arch_to_json(s));
        }, detail);
    if (target == "image")
        return outcome([&] {
            std::string inner;
            lenet::GrayImage img;
            if (outcome([&] { img = lenet::decode_image(d, n, "corpus.img"); }, inner) == "ok")
                (void)lenet::preprocess_image(img);
            if (n >= 2) {
                const int w = 1 + d[0] % 64, h = int((n - 1) / size_t(w));
                if (h >= 1 && h <= lenet::kMaxImageSide) (void)lenet::preprocess_gray(d + 1, w, h);
            }
        }, detail);
    if (target == "hash")
        return outcome([&] {
            lenet_web::HashState s = lenet_web::parse_hash(std::string(b.begin(), b.end()));
            REQUIRE(lenet_web::parse_hash(lenet_web::format_hash(s)).notices.empty());
        }, detail);
    detail = "unknown target folder '" + target + "'";
    return "other";
}

}  // namespace

TEST_SUITE("corpus") {

TEST_CASE("corpus: every fuzz regression input fails cleanly or loads") {
    REQUIRE(fs::is_directory(kCorpus));
    std::map<std::string, int> per_target;
    int total = 0;
    for (const auto& dir : fs::directory_iterator(kCorpus)) {
        if (!dir.is_directory()) continue;
        const std::string target = dir.path().filename().string();
        for (const auto& f : fs::directory_iterator(dir.path())) {
            if (!f.is_regular_file() || f.path().filename().string()[0] == '.') continue;
            CAPTURE(f.path().string());
            Bytes b = fixtures::read_all(f.path().string());
            std::string detail;
            const std::string res = replay(target, b, detail);
            CHECK_MESSAGE(res != "other", detail);
            per_target[target]++;
            total++;
        }
    }
    MESSAGE("replayed " << total << " corpus inputs");
    CHECK(total >= 1);  // the folder holds at least the first fuzz findings
}

}  // TEST_SUITE
