// test_report.cpp — the test-set report (engine/src/report.cpp): which output is the runner-up and
// how sure the winner is, the rejection curve on a hand-made report, and ReportEvaluator against
// the Evaluator and a digit-by-digit count, sliced or at once, on one thread or two.
#include "lenet/lenet.h"
#include "net_fixtures.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

using namespace lenet;
using nettest::noise_data;

namespace {

Network net_with(const char* preset, LossKind loss) {
    ArchSpec spec = arch_preset(preset);
    spec.loss = loss;
    Network net(spec);
    net.init(3);
    return net;
}

}  // namespace

TEST_SUITE("report") {

TEST_CASE("report: runner-up and margin of RBF distances, probabilities and raw outputs") {
    SUBCASE("RBF distances: the smallest wins; the first of a tie") {
        const Network net = net_with("lenet5-1998", LossKind::Mse);
        const float y[10] = {5, 2, 3, 9, 2.5f, 8, 7, 6, 4, 3};
        Ranking r = rank_outputs(net, y);
        CHECK(r.best == 1);
        CHECK(r.runner_up == 4);
        CHECK(r.margin == doctest::Approx(0.5));
        const float tie[10] = {5, 1, 3, 1, 4, 8, 7, 6, 4, 3};
        r = rank_outputs(net, tie);
        CHECK(r.best == 1);
        CHECK(r.runner_up == 3);
        CHECK(r.margin == 0.0f);
    }
    SUBCASE("softmax probabilities: p(best) - p(runner-up)") {
        const Network net = net_with("lenet5", LossKind::Xent);
        REQUIRE(!net.outputs_are_penalties());
        const float y[10] = {0, 0, std::log(3.0f), std::log(2.0f), 0, 0, 0, 0, 0, 0};  // 1 : 3 : 2, sum 13
        const Ranking r = rank_outputs(net, y);
        CHECK(r.best == 2);
        CHECK(r.runner_up == 3);
        CHECK(r.margin == doctest::Approx(1.0 / 13.0));
        const Prediction p = net.prediction(y);
        CHECK(r.margin == doctest::Approx(p.scores[2] - p.scores[3]));
    }
    SUBCASE("raw outputs of a full layer without softmax: the largest wins") {
        const Network net = net_with("lenet5", LossKind::Mse);
        const float y[10] = {-1, 0.5f, 0.25f, -1, -1, -1, -1, 0.75f, -1, -1};
        const Ranking r = rank_outputs(net, y);
        CHECK(r.best == 7);
        CHECK(r.runner_up == 1);
        CHECK(r.margin == doctest::Approx(0.25));
    }
    SUBCASE("the MAP loss makes penalties of a full layer's outputs") {
        const Network net = net_with("lenet5", LossKind::Map);
        const float y[10] = {-1, 0.5f, 0.25f, -1, -1, -1, -1, 0.75f, -1, -1};
        const Ranking r = rank_outputs(net, y);
        CHECK(r.best == 0);
        CHECK(r.runner_up == 3);
        CHECK(r.margin == 0.0f);
    }
}

TEST_CASE("report: the rejection curve rejects the least confident digits first") {
    // Ten digits of class 0; positions 2, 5 and 7 are wrong. By margin: 5, 2, 9, 7, 8, 6, 4, 3, 1, 0.
    EvalReport r;
    r.count = 10;
    r.errors = 3;
    r.labels.assign(10, 0);
    r.predicted = {0, 0, 1, 0, 0, 4, 0, 6, 0, 0};
    r.margin = {0.9f, 0.8f, 0.1f, 0.7f, 0.6f, 0.05f, 0.5f, 0.3f, 0.4f, 0.2f};
    CHECK_THROWS_AS(r.rejection_at(0), Error);  // not ranked yet
    r.rank();
    CHECK(r.by_confidence == std::vector<int>{5, 2, 9, 7, 8, 6, 4, 3, 1, 0});
    CHECK(r.rejection_at(0).error == doctest::Approx(0.3));
    CHECK(r.rejection_at(1).error == doctest::Approx(2.0 / 9));
    CHECK(r.rejection_at(2).error == doctest::Approx(1.0 / 8));
    CHECK(r.rejection_at(3).error == doctest::Approx(1.0 / 7));  // a right digit rejected
    CHECK(r.rejection_at(4).error == 0.0);
    CHECK(r.rejection_at(4).rejected == doctest::Approx(0.4));
    CHECK(r.rejection_at(10).error == 0.0);
    CHECK_THROWS_AS(r.rejection_at(11), Error);
    CHECK_THROWS_AS(r.rejection_at(-1), Error);

    const RejectionPoint p = r.rejection_for_error(0.15);
    CHECK(p.rejected == doctest::Approx(0.2));
    CHECK(p.error == doctest::Approx(0.125));
    CHECK(r.rejection_for_error(0.0).rejected == doctest::Approx(0.4));
    CHECK(r.rejection_for_error(0.3).rejected == 0.0);
    CHECK_THROWS_AS(r.rejection_for_error(-0.1), Error);

    const std::vector<RejectionPoint> curve = r.rejection_curve();
    const std::vector<double> f = rejection_fractions();
    REQUIRE(curve.size() == f.size());
    CHECK(f.front() == 0.0);
    CHECK(curve.front().rejected == 0.0);
    CHECK(curve.front().error == doctest::Approx(0.3));
    for (size_t i = 0; i < curve.size(); ++i) {
        const int k = int(std::lround(f[i] * 10));
        CHECK(curve[i].rejected == doctest::Approx(k / 10.0));
        CHECK(curve[i].error == doctest::Approx(r.rejection_at(k).error));
    }
}

TEST_CASE("report: ReportEvaluator counts as the Evaluator and as digit-by-digit prediction") {
    const Dataset data = noise_data(300, 28, 28, 11);
    for (const char* preset : {"lenet5", "lenet5-1998"}) {
        for (LossKind loss : {LossKind::Mse, LossKind::Map, LossKind::Xent}) {
            CAPTURE(std::string(preset));
            CAPTURE(int(loss));
            const Network net = net_with(preset, loss);
            const EvalReport all = evaluate_report(net, data);
            const EvalResult ref = evaluate(net, data);
            CHECK(all.count == data.count);
            CHECK(all.errors == ref.errors);
            CHECK(all.confusion == ref.confusion);

            Workspace ws(net);
            std::vector<float> x(size_t(net.input_shape().size()));
            std::vector<int> wrong;
            for (int i = 0; i < data.count; ++i) {
                prepare_input(net.spec(), data.image(i), data.rows, data.cols, x.data());
                net.forward(ws, x.data());
                const Ranking k = rank_outputs(net, ws.out(int(net.layers().size()) - 1));
                CHECK(all.predicted[size_t(i)] == k.best);
                CHECK(all.runner_up[size_t(i)] == k.runner_up);
                CHECK(all.runner_up[size_t(i)] != k.best);
                if (k.best != data.labels[size_t(i)]) wrong.push_back(i);
            }
            CHECK(all.misclassified == wrong);
            CHECK(all.rejection_at(0).error == doctest::Approx(all.error_rate()));

            // A slice at a time, on two threads, and a sub-range.
            ReportEvaluator ev(net, data, -1, 0, 2);
            int calls = 1;
            while (!ev.step(37)) ++calls;
            CHECK(calls == 9);
            CHECK(ev.report().misclassified == all.misclassified);
            CHECK(ev.report().margin == all.margin);
            CHECK(ev.report().by_confidence == all.by_confidence);
            ReportEvaluator part(net, data, 50, 100);
            part.step(1000);
            REQUIRE(part.report().count == 50);
            for (int i : part.report().misclassified) CHECK((i >= 100 && i < 150));
        }
    }
}

TEST_CASE("report: bad arguments are refused") {
    const Network net = net_with("lenet5", LossKind::Xent);
    const Dataset data = noise_data(10, 28, 28, 1);
    CHECK_THROWS_AS(ReportEvaluator(net, data, -1, 11), Error);
    ReportEvaluator ev(net, data);
    CHECK_THROWS_AS(ev.step(-1), Error);
    CHECK_THROWS_AS(ev.report().rejection_curve(), Error);  // not finished
    CHECK(ev.step(10));
    CHECK(ev.report().rejection_curve().size() == rejection_fractions().size());
    Dataset empty = data;
    empty.count = 0;
    ReportEvaluator none(net, empty);
    CHECK(none.finished());
    CHECK(none.report().rejection_at(0).error == 0.0);
    Dataset bad = data;
    bad.labels[3] = 12;
    CHECK_THROWS_WITH_AS(ReportEvaluator(net, bad), doctest::Contains("label 12"), Error);
}

}  // TEST_SUITE
