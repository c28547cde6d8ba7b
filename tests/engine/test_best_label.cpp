// test_best_label.cpp — Network::best_label is the one rule for which output wins, and every path that
// names a winner follows it: Network::prediction, predict_batch, and the Evaluator's error count, for
// every loss (mse, map, xent) with a full and an RBF output layer.
#include "lenet/lenet.h"
#include "net_fixtures.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace lenet;
using nettest::noise_data;

TEST_CASE("best_label: prediction, predict_batch and the Evaluator name the same winner") {
    const Dataset data = noise_data(64, 28, 28, 7);
    for (const char* preset : {"lenet5", "lenet5-1998"}) {
        for (LossKind loss : {LossKind::Mse, LossKind::Map, LossKind::Xent}) {
            ArchSpec spec = arch_preset(preset);
            spec.loss = loss;
            Network net(spec);
            net.init(3);
            const bool rbf = spec.layers.back().type == LayerType::Rbf;
            CAPTURE(std::string(preset));
            CAPTURE(int(loss));
            CHECK(net.outputs_are_penalties() == (rbf || loss == LossKind::Map));

            const size_t in = size_t(net.input_shape().size()), out = size_t(net.output_shape().size());
            std::vector<float> x(size_t(data.count) * in), y(size_t(data.count) * out);
            for (int i = 0; i < data.count; ++i)
                prepare_input(spec, data.image(i), data.rows, data.cols, x.data() + size_t(i) * in);
            std::vector<int> labels(size_t(data.count), -1);
            predict_batch(net, x.data(), data.count, labels.data(), y.data(), 2);

            Workspace ws(net);
            int errors = 0, argmin_differs = 0;
            for (int i = 0; i < data.count; ++i) {
                const float* yi = y.data() + size_t(i) * out;
                const int smallest = int(std::min_element(yi, yi + out) - yi);
                const int largest = int(std::max_element(yi, yi + out) - yi);
                const int best = net.best_label(yi);
                CHECK(best == (net.outputs_are_penalties() ? smallest : largest));
                CHECK(labels[size_t(i)] == best);
                CHECK(net.predict(ws, x.data() + size_t(i) * in).label == best);
                errors += best != int(data.labels[size_t(i)]);
                argmin_differs += smallest != largest;
            }
            CHECK(argmin_differs > 0);  // the rule matters on these outputs
            const EvalResult r = evaluate(net, data);
            CHECK(r.count == data.count);
            CHECK(r.errors == errors);
        }
    }
}
