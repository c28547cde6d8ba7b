// web/trace.h — the arithmetic behind the "Trace a unit" tab, as pure functions of the network and
// the layer outputs (no ImGui, no GL, no app state): the steps of the layer strip, which input maps
// feed an output map, the receptive field of a unit on an earlier step, and a unit's value
// recomputed term by term from the weights and the previous step's outputs, to be shown and
// compared with the engine's own value. Part of the library lenet_app_logic (web/logic.cmake);
// unit tests in tests/engine/test_trace.cpp.
//
// Steps ("views"): view 0 is INPUT, view k (1..L) is engine layer k-1 (C1 .. OUTPUT for lenet5-1998).
#pragma once

#include <lenet/lenet.h>

#include <string>
#include <vector>

namespace lenet_web {

int          view_count(const lenet::Network& net);            // 1 + layers
std::string  view_name(const lenet::Network& net, int view);   // "INPUT", "C1", ... (clamped to the last)
lenet::Shape view_shape(const lenet::Network& net, int view);  // output shape of the step

// Input maps of engine layer `layer` that feed its output map o: all of them, unless a conv layer's
// connection table (C3's Table I) says otherwise; a pooling map reads only its own input map.
std::vector<int> feeding_maps(const lenet::Network& net, int layer, int o);

// Receptive field of unit (y, x) of `view` in view `target` < view: rows [y0, y1], cols [x0, x1]
// (clamped to the target's shape); a full layer in between gives the whole map.
struct Rect { int y0 = 0, y1 = 0, x0 = 0, x1 = 0; };
Rect receptive_field(const lenet::Network& net, int view, int y, int x, int target);

// One unit's computation, term by term.
struct TraceTerm {
    float       w = 0, x = 0;  // weight (rbf: prototype value) and input
    std::string where;         // which input, e.g. "S2[3][8][9]"
};
struct TraceGroup {
    std::string            title;   // "from S2 map 3", "window of S2 map 3", "weights x inputs"
    std::vector<TraceTerm> terms;
    double                 sum = 0; // sum of w x (rbf: (x - w)^2)
};
struct Trace {
    bool                    valid = false;
    enum Kind { WeightedSum, Max, Rbf } kind = WeightedSum;
    std::vector<TraceGroup> groups;
    int                     terms = 0;
    double                  bias = 0;       // added after the sum (0 for avg/max/rbf)
    double                  a = 0;          // the recomputed weighted sum (pre-activation)
    float                   engine_a = 0, engine_out = 0;  // the engine's values of the unit
    bool                    matches = false;  // |a - engine_a| <= 1e-3 (relative above 1)
};

// What trace_unit reads besides the network: the unit and the values around it.
struct TraceUnit {
    int          view = 0;                // 1..layers (view 0, the input, has nothing to trace)
    int          map = -1, y = 0, x = 0;  // the unit of that view (a vector unit: y = x = 0)
    const float* in = nullptr;            // outputs of view - 1: the layer's input
    const float* pre = nullptr;           // pre-activations of view
    const float* out = nullptr;           // outputs of view
    std::string  class_name;              // name of class `map`, for an RBF unit's group title
};
// Not valid when the view is 0, the unit is outside the view's shape, or a pointer is missing.
Trace trace_unit(const lenet::Network& net, const TraceUnit& unit);

}  // namespace lenet_web
