// backward_steps.h — the training steps that follow OUTPUT in the layer strip, as pure functions of
// the network (no ImGui, no GL, no app state): LOSS, then one backward step per layer from the last
// to the first (OUTPUT' <- F6' <- ... <- C1'), then UPDATE; and the histogram of the SDLM step sizes'
// h_kk. Part of the library lenet_app_logic (web/logic.cmake); unit tests in
// tests/engine/test_backward_steps.cpp.
//
// Step numbers: 0 is LOSS, k (1..L) is the backward pass through engine layer L-k (k = 1: the last
// layer, OUTPUT'), L+1 is UPDATE, for a network of L layers.
#pragma once

#include <lenet/lenet.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lenet_web {

int         train_step_count(const lenet::Network& net);                // L + 2
std::string train_step_name(const lenet::Network& net, int step);       // "LOSS", "C3'", "UPDATE"
// The name a link uses (URL hash "back=..."): "LOSS", "C3", "UPDATE" (no apostrophe).
std::string train_step_link_name(const lenet::Network& net, int step);
int         train_step_layer(const lenet::Network& net, int step);      // engine layer, -1 for LOSS/UPDATE
int         train_step_of_layer(const lenet::Network& net, int layer);  // the backward step of a layer
// The step called `name` ("LOSS", "UPDATE", a layer name with or without the apostrophe), or -1.
int         train_step_from_name(const lenet::Network& net, const std::string& name);

// The per-weight step of the update Delta w = -step x dE/dw: eta for SGD, eta / (mu + h_kk) for SDLM
// (paper Appendix C), as lenet::Trainer computes it.
inline float sdlm_step(float eta, float mu, float h) { return eta / (mu + h); }

// Counts of values on a log10 axis: bins of equal width between the smallest and the largest
// positive value; zeros (and negatives, which h_kk never is) are counted apart. Entries whose mask
// is 0 (a connection table's absent weights) are left out; mask may be null.
struct LogHistogram {
    double           lo = 0, hi = 0;   // log10 of the smallest and largest positive value
    std::vector<int> counts;           // bins over [lo, hi]
    int              zeros = 0;        // values <= 0
    int              total = 0;        // values counted (zeros included)
};
LogHistogram log_histogram(const float* v, const uint8_t* mask, size_t n, int bins);

}  // namespace lenet_web
