// web/trace_backward.h — the arithmetic behind tracing a unit of a backward step, as pure functions
// of the network and a workspace after Network::loss and Network::backward (no ImGui, no GL, no app
// state). For a unit of layer l it rebuilds, term by term from the weights and the next layer's
// dE/dpre, the unit's dE/d(output) and its delta = f'(a) x dE/d(output); for a weight of layer l its
// gradient as a sum of input x delta terms. Both are compared with the engine's own values. Part of
// the library lenet_app_logic (web/logic.cmake); unit tests in tests/engine/test_trace_backward.cpp.
//
// Layers are engine layer indices (0 = C1). "delta" is dE/dpre, the pre-activation's gradient.
#pragma once

#include <lenet/lenet.h>

#include <string>
#include <vector>

namespace lenet_web {

// Output maps of engine layer `layer` that its input map i feeds: all of them, unless a conv
// layer's connection table (C3's Table I) says otherwise; a pooling map feeds only its own map.
std::vector<int> fed_maps(const lenet::Network& net, int layer, int i);

// One product of a backward sum: w x d.
struct BackTerm {
    float       w = 0, d = 0;  // dE/dout: the multiplier (weight, coefficient, 1/K^2, max's 1 or 0,
                               // rbf's 2(x - p)) and the delta of the unit fed; dE/dw: input and delta
    std::string where;         // the unit whose delta it is, e.g. "C3[4][2][3]"
    std::string via;           // dE/dout: the multiplier, e.g. "C3.weight[4][1][2][1]"; dE/dw: the
                               // input, e.g. "S2[1][4][4]"
};
struct BackGroup {
    std::string           title;  // "to C3 map 4", "to S2 map 3", "to F6", "over C3 map 4"
    std::vector<BackTerm> terms;
    double                sum = 0, abs_sum = 0;  // sum of w x d, and of |w x d| (the tolerance scale)
};

// A unit's delta. The last layer's dE/d(output) comes from the loss (from_loss), every other
// layer's from the units it feeds in the next layer.
struct BackTrace {
    bool                   valid = false;
    bool                   from_loss = false;
    std::vector<BackGroup> groups;          // one per map fed (a conv, a pool), or one (full, rbf)
    int                    terms = 0;
    std::string            next;            // the next layer's name ("" for the last layer)
    // from_loss: dE/dy of this output for the label: `rule` with the numbers, p the softmax
    // probability (xent, map; 0 for mse), t the target.
    std::string            rule;
    double                 p = 0, t = 0;
    double                 d_out = 0;       // the recomputed dE/d(output)
    double                 fprime = 0;      // f'(a) of the layer's activation at this unit
    double                 d_pre = 0;       // fprime x d_out: the unit's delta
    float                  out = 0, pre = 0;               // the unit's forward values
    float                  engine_d_out = 0, engine_d_pre = 0;  // Workspace::grad_out, grad_pre
    bool                   matches = false; // both agree with the engine within rounding
};
// Not valid when the layer or the unit is out of range. label: the digit's label given to loss().
BackTrace trace_backward(const lenet::Network& net, const lenet::Workspace& ws, int label, int layer, int map,
                         int y, int x);

// One weight of layer `layer`: conv weight [o][i][ky][kx]; full weight [o][i]; subsampling
// coefficient [o] (i, ky, kx unused).
struct WeightPick { int o = 0, i = 0, ky = 0, kx = 0; };
// The weight of output map (or unit) `map` that the panel shows first: a conv's centre tap from its
// first connected input map; a full layer's weight from its input of largest magnitude (the largest
// term); a subsampling coefficient.
WeightPick default_weight(const lenet::Network& net, const lenet::Workspace& ws, int layer, int map);

struct WeightTrace {
    bool        valid = false;       // false: no such weight (a pool without coefficient, an rbf,
                                     // a table connection that does not exist, out of range)
    std::string name;                // "C3.weight[4][1][2][1]", "S2.coeff[3]", "F6.weight[7][33]"
    float       w = 0;               // its value
    BackGroup   grad;                // the input x delta terms (subsampling: window sum x delta)
    double      bias_grad = 0;       // dE/db of the same output map: the sum of its deltas
    int         bias_terms = 0;
    float       engine_grad = 0, engine_bias_grad = 0;  // from the gradient buffer
    bool        matches = false;
};
// grad: one sample's gradient laid out as params() (Network::backward into a zeroed buffer).
WeightTrace trace_weight(const lenet::Network& net, const lenet::Workspace& ws, const float* grad, int layer,
                         const WeightPick& pick);

}  // namespace lenet_web
