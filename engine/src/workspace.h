// workspace.h — internal: the buffers behind lenet::Workspace (engine sources only).
//
// One sample's state, allocated once when the Workspace is made: the network input, every layer's
// pre-activation and output, the backward buffers of the gradient and of the Gauss-Newton pass, the
// conv scratch, and the minibatch records of Network::backward_deferred. Layer i's values start at
// offsets[i] (= LayerInfo::act_offset) in every per-layer buffer.
#pragma once

#include "lenet/lenet.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lenet {

struct WorkspaceImpl {
    // dE/d(output) and dE/d(pre-activation) of every layer, and dE/d(network input). The Gauss-Newton
    // pass keeps its second derivatives in a second set of the same layout.
    struct Backward {
        std::vector<float> out, pre, in;
    };
    // Minibatch records (Workspace::set_deferred, Network::backward_deferred / flush_deferred): per
    // recorded sample `stride` floats; a recorded layer i's dE/dpre at off[i], its input right after.
    struct Deferred {
        std::vector<float>  rec;
        std::vector<size_t> off;             // per layer; SIZE_MAX: this layer is not recorded
        size_t              stride = 0;
        int                 cap = 0, n = 0;  // room for cap samples; n recorded
        float*              grad = nullptr;  // the gradient buffer the recorded samples belong to
    };

    std::vector<size_t> offsets;    // per layer, then the total (size layers + 1)
    std::vector<float>  input;      // (C, H, W) network input
    std::vector<float>  pre, out;   // every layer's pre-activation and output
    Backward            grad;       // backward, backward_update, backward_deferred
    Backward            hess;       // backward_hessian
    std::vector<float>  scratch;    // conv forward/backward scratch
    int                 done = 0;   // layers 0 .. done - 1 computed for the current input
    float               loss = 0.0f;
    int                 label = -1; // label of the last loss(); -1: none since the last forward
    Deferred            defer;

    explicit WorkspaceImpl(const Network& net);
    // Made for this network's layout (throws Error(Usage) otherwise; fits() only tells).
    bool fits(const Network& net) const;
    void check(const Network& net) const;
    // Layer i's input: the network input or layer i-1's output.
    const float* layer_input(int i) const { return i == 0 ? input.data() : out.data() + offsets[size_t(i) - 1]; }
};

}  // namespace lenet
