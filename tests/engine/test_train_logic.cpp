// test_train_logic.cpp — the Train tab's arithmetic (web/train_logic.h, in lenet_app_logic): samples
// per time slice in whole minibatches, the held-out subset spread over the test set, and the plot
// series that halves its resolution instead of forgetting the start of a session.
#include <doctest/doctest.h>

#include "train_logic.h"

#include <set>

using lenet_web::Series;
using lenet_web::slice_samples;
using lenet_web::spread_indices;

TEST_CASE("train_logic: slice_samples fits the budget in whole batches") {
    CHECK(slice_samples(10.0, 0.1, 1, 100000) == 100);
    CHECK(slice_samples(10.0, 0.1, 32, 100000) == 96);     // 100 rounded down to whole batches of 32
    CHECK(slice_samples(10.0, 0.0, 32, 100000) == 32);     // nothing measured yet: one batch
    CHECK(slice_samples(0.01, 0.1, 1, 100000) == 1);       // always at least one batch
    CHECK(slice_samples(-5.0, 0.1, 8, 100000) == 8);
    CHECK(slice_samples(1000.0, 0.001, 1, 512) == 512);    // capped
    CHECK(slice_samples(1000.0, 0.001, 32, 500) == 480);   // the cap in whole batches too
    CHECK(slice_samples(1000.0, 0.001, 64, 10) == 64);     // a cap under one batch: one batch
    CHECK(slice_samples(1e300, 1e-300, 1, 7) == 7);        // no overflow
}

TEST_CASE("train_logic: spread_indices samples the whole set, in order, without repeats") {
    const std::vector<int> s = spread_indices(10000, 1000);
    REQUIRE(s.size() == 1000);
    CHECK(s.front() == 0);
    CHECK(s[1] == 10);
    CHECK(s.back() == 9990);
    CHECK(std::set<int>(s.begin(), s.end()).size() == 1000);
    const std::vector<int> odd = spread_indices(2500, 1000);  // not a whole multiple
    REQUIRE(odd.size() == 1000);
    CHECK(odd.back() == 2497);
    for (size_t i = 1; i < odd.size(); ++i) CHECK(odd[i] > odd[i - 1]);
    CHECK(spread_indices(5, 1000) == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(spread_indices(0, 10).empty());
    CHECK(spread_indices(10, 0).empty());
}

TEST_CASE("train_logic: Series keeps the whole session in a bounded number of points") {
    Series s(4);
    for (int i = 1; i <= 4; ++i) s.push(i, float(i));
    CHECK(s.size() == 4);
    s.push(5, 5.0f);  // full: pairs merge into (2, 1.5), (4, 3.5), then the new point
    REQUIRE(s.size() == 3);
    CHECK(s.xs()[0] == 2);
    CHECK(s.ys()[0] == doctest::Approx(1.5f));
    CHECK(s.xs()[1] == 4);
    CHECK(s.ys()[1] == doctest::Approx(3.5f));
    CHECK(s.xs()[2] == 5);
    CHECK(s.last() == 5.0f);
    for (int i = 6; i < 1000; ++i) s.push(i, 1.0f);
    CHECK(s.size() <= 4);
    CHECK(s.xs().back() == 999);
    s.clear();
    CHECK(s.empty());
    CHECK(s.last() == 0.0f);
    Series tiny(1);  // at least 2 points
    tiny.push(1, 1.0f);
    tiny.push(2, 2.0f);
    tiny.push(3, 3.0f);
    CHECK(tiny.size() == 2);
}
