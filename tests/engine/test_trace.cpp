// test_trace.cpp — the web app's trace arithmetic (web/trace.h, in the library lenet_app_logic):
// the steps of the layer strip, the maps that feed a unit (C3's Table I), receptive fields, and a
// unit's value recomputed term by term, which must agree with the engine's own forward pass for
// every kind of layer (conv with and without a table or padding, subsampling, average and max
// pooling, full, RBF).
#include "net_fixtures.h"
#include "trace.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using lenet_web::Rect;
using lenet_web::Trace;
using lenet_web::TraceUnit;

namespace {

// A network with its step-through workspace run to the end on a random input.
struct Ran {
    lenet::Network   net;
    lenet::Workspace ws;
    explicit Ran(const lenet::ArchSpec& spec, uint64_t seed = 7) : net(spec), ws(net) {
        net.init(seed);
        const std::vector<float> x = nettest::random_input(net, seed);
        net.set_input(ws, x.data());
        for (int i = 0; i < int(net.layers().size()); ++i) net.forward_layer(ws, i);
    }
    // The trace inputs of unit (map, y, x) of `view`, as the app fills them from its workspace.
    TraceUnit unit(int view, int map, int y, int x) const {
        TraceUnit u;
        u.view = view;
        u.map = map;
        u.y = y;
        u.x = x;
        u.in = view == 1 ? ws.input() : ws.out(view - 2);
        u.pre = ws.pre(view - 1);
        u.out = ws.out(view - 1);
        u.class_name = "class " + std::to_string(map);
        return u;
    }
};

// Every unit of every view, traced and checked against the engine.
void check_every_unit(const Ran& r) {
    for (int v = 1; v < lenet_web::view_count(r.net); ++v) {
        const lenet::Shape s = lenet_web::view_shape(r.net, v);
        int units = 0, matching = 0;
        for (int m = 0; m < s.c; ++m)
            for (int y = 0; y < s.h; ++y)
                for (int x = 0; x < s.w; ++x) {
                    const Trace t = lenet_web::trace_unit(r.net, r.unit(v, m, y, x));
                    units++;
                    if (t.valid && t.matches) matching++;
                }
        INFO(r.net.spec().name << " view " << lenet_web::view_name(r.net, v));
        CHECK(matching == units);
    }
}

}  // namespace

TEST_SUITE("trace") {

TEST_CASE("trace: the steps of lenet5-1998 are INPUT, then the engine's layers") {
    const lenet::Network net(lenet::arch_load("lenet5-1998"));
    CHECK(lenet_web::view_count(net) == 8);
    CHECK(lenet_web::view_name(net, 0) == "INPUT");
    CHECK(lenet_web::view_name(net, 1) == "C1");
    CHECK(lenet_web::view_name(net, 7) == "OUTPUT");
    CHECK(lenet_web::view_name(net, 99) == "OUTPUT");  // clamped to the last step
    CHECK(lenet_web::view_shape(net, 0).h == 32);
    const lenet::Shape c3 = lenet_web::view_shape(net, 3);
    CHECK((c3.c == 16 && c3.h == 10 && c3.w == 10));
}

TEST_CASE("trace: C3's feeding maps follow Table I of the paper") {
    const lenet::Network net(lenet::arch_load("lenet5-1998"));
    const int c3 = 2;  // engine layer index
    CHECK(lenet_web::feeding_maps(net, c3, 0) == std::vector<int>{0, 1, 2});
    CHECK(lenet_web::feeding_maps(net, c3, 6) == std::vector<int>{0, 1, 2, 3});
    CHECK(lenet_web::feeding_maps(net, c3, 15) == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(lenet_web::feeding_maps(net, 1, 4) == std::vector<int>{4});  // S2 map 4 reads C1 map 4
    const lenet::Network full(lenet::arch_load("lenet5"));  // no table: every S2 map
    CHECK(lenet_web::feeding_maps(full, c3, 0).size() == 6);
}

TEST_CASE("trace: receptive fields grow through conv and pooling, and are clamped") {
    const lenet::Network net(lenet::arch_load("lenet5-1998"));
    // C1 unit (3, 4): a 5x5 window of the input.
    Rect r = lenet_web::receptive_field(net, 1, 3, 4, 0);
    CHECK((r.y0 == 3 && r.y1 == 7 && r.x0 == 4 && r.x1 == 8));
    // C3 unit (0, 0): 5x5 on S2, 10x10 on C1, 14x14 on the input.
    r = lenet_web::receptive_field(net, 3, 0, 0, 2);
    CHECK((r.y0 == 0 && r.y1 == 4 && r.x0 == 0 && r.x1 == 4));
    r = lenet_web::receptive_field(net, 3, 0, 0, 1);
    CHECK((r.y0 == 0 && r.y1 == 9 && r.x0 == 0 && r.x1 == 9));
    r = lenet_web::receptive_field(net, 3, 0, 0, 0);
    CHECK((r.y0 == 0 && r.y1 == 13 && r.x0 == 0 && r.x1 == 13));
    // C5 sees the whole 32x32 input (Section II.B), as does anything after a full layer.
    r = lenet_web::receptive_field(net, 5, 0, 0, 0);
    CHECK((r.y0 == 0 && r.y1 == 31 && r.x0 == 0 && r.x1 == 31));
    r = lenet_web::receptive_field(net, 6, 0, 0, 4);
    CHECK((r.y0 == 0 && r.y1 == 4 && r.x0 == 0 && r.x1 == 4));
    // A padded conv: the window is clamped at the border.
    const lenet::Network pad(nettest::spec_json(R"({"name": "p", "input": [1, 8, 8], "layers": [
        {"name": "A", "type": "conv", "maps": 2, "kernel": 3, "padding": 1, "activation": "tanh"}]})"));
    r = lenet_web::receptive_field(pad, 1, 0, 7, 0);
    CHECK((r.y0 == 0 && r.y1 == 1 && r.x0 == 6 && r.x1 == 7));
}

TEST_CASE("trace: term counts, groups and kinds of the paper's network") {
    const Ran r(lenet::arch_load("lenet5-1998"));
    Trace t = lenet_web::trace_unit(r.net, r.unit(1, 2, 5, 6));  // C1: one 5x5 kernel
    CHECK(t.valid);
    CHECK(t.kind == Trace::WeightedSum);
    CHECK(t.groups.size() == 1);
    CHECK(t.terms == 25);
    CHECK(t.groups[0].terms[0].where == "INPUT[0][5][6]");
    t = lenet_web::trace_unit(r.net, r.unit(2, 1, 0, 0));  // S2: coefficient x 4 inputs + bias
    CHECK(t.terms == 4);
    CHECK(t.bias != 0.0);
    t = lenet_web::trace_unit(r.net, r.unit(3, 0, 0, 0));  // C3 map 0: three S2 maps
    CHECK(t.groups.size() == 3);
    CHECK(t.terms == 75);
    CHECK(t.groups[2].title == "from S2 map 2");
    t = lenet_web::trace_unit(r.net, r.unit(6, 10, 0, 0));  // F6: 120 inputs
    CHECK(t.terms == 120);
    t = lenet_web::trace_unit(r.net, r.unit(7, 3, 0, 0));  // OUTPUT: distance to prototype 3
    CHECK(t.kind == Trace::Rbf);
    CHECK(t.terms == 84);
    CHECK(t.bias == 0.0);
    CHECK(t.groups[0].title == "squared differences to the prototype of class 3");
    CHECK(t.matches);
}

TEST_CASE("trace: every unit of every preset matches the engine's forward pass") {
    for (const std::string& name : lenet::arch_preset_names()) {
        INFO(name);
        check_every_unit(Ran(lenet::arch_load(name)));
    }
    // Zero padding and a stride: terms outside the input count as 0.
    const Ran pad(nettest::spec_json(R"({"name": "p", "input": [1, 9, 9], "layers": [
        {"name": "A", "type": "conv", "maps": 3, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
        {"name": "B", "type": "full", "units": 4}]})"));
    check_every_unit(pad);
    const Trace t = lenet_web::trace_unit(pad.net, pad.unit(1, 0, 0, 0));
    CHECK(t.groups[0].terms[0].where == "INPUT[0][-1][-1]");
    CHECK(t.groups[0].terms[0].x == 0.0f);
}

TEST_CASE("trace: a max-pooling unit is the largest input") {
    const Ran r(lenet::arch_load("lenet5-relu"));
    const Trace t = lenet_web::trace_unit(r.net, r.unit(2, 3, 4, 5));  // S2: max 2x2
    CHECK(t.kind == Trace::Max);
    float mx = t.groups[0].terms[0].x;
    for (const lenet_web::TraceTerm& term : t.groups[0].terms) mx = std::max(mx, term.x);
    CHECK(t.a == doctest::Approx(double(mx)));
    CHECK(t.matches);
}

TEST_CASE("trace: a wrong engine value is reported, and bad units are not traced") {
    const Ran r(lenet::arch_load("lenet5-1998"));
    TraceUnit u = r.unit(3, 4, 2, 2);
    const Trace good = lenet_web::trace_unit(r.net, u);
    REQUIRE(good.valid);
    CHECK(good.matches);
    std::vector<float> pre(u.pre, u.pre + lenet_web::view_shape(r.net, 3).size());
    pre[(size_t(4) * 10 + 2) * 10 + 2] += 0.5f;
    u.pre = pre.data();
    const Trace bad = lenet_web::trace_unit(r.net, u);
    CHECK(bad.valid);
    CHECK_FALSE(bad.matches);
    CHECK(bad.a == good.a);  // the recomputation does not read the engine's value

    CHECK_FALSE(lenet_web::trace_unit(r.net, r.unit(3, 16, 0, 0)).valid);  // C3 has 16 maps
    CHECK_FALSE(lenet_web::trace_unit(r.net, r.unit(3, 0, 10, 0)).valid);  // and 10 rows
    TraceUnit input;  // view 0, the input: nothing to trace
    input.map = 0;
    CHECK_FALSE(lenet_web::trace_unit(r.net, input).valid);
    TraceUnit missing = r.unit(2, 0, 0, 0);
    missing.in = nullptr;  // the previous step was not computed
    CHECK_FALSE(lenet_web::trace_unit(r.net, missing).valid);
}

}  // TEST_SUITE
