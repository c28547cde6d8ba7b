// backward.cpp — the loss and the backward passes of Network, run over a Workspace's buffers.
//
// Each layer's backward is two steps, the mirror of forward_layer (layer, then activation):
//   through_activation: dE/dpre = f'(pre) dE/dout                        (activation_backward)
//   layer_backward:     dE/din, and dE/dw, dE/db added into a buffer laid out as params()
// From the loss back to the input, those steps make four named passes:
//   gradient_pass   Network::backward           the plain gradient
//   hessian_pass    Network::backward_hessian   SQ = true: the Gauss-Newton diagonal second
//                                               derivatives of paper Appendix C, same data flow
//   update_pass     Network::backward_update    the Trainer's batch-1 step: each layer's parameters
//                                               updated as soon as its backward is done
//   deferred_pass   Network::backward_deferred  minibatches: the dense layers' weight gradients are
//                                               recorded and added once per batch (flush_deferred)
// The fused and deferred passes exist for speed and give exactly the bits of the plain pass followed
// by the update (tests/engine/test_train.cpp, test_kernels.cpp).
#include "kernels.h"
#include "layers.h"
#include "lenet/lenet.h"
#include "workspace.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace lenet {

using namespace detail;

// ================================================================================================
// Loss
// ================================================================================================
float Network::loss(Workspace& ws, int label) const {
    WorkspaceImpl& W = ws.impl();
    W.check(*this);
    if (W.done != int(layers_.size()))
        throw Error(ErrorKind::Usage, "loss", "run the forward pass through the last layer first");
    const LayerInfo& last = layers_.back();
    const int n = int(last.out.size());
    if (label < 0 || label >= n)
        throw Error(ErrorKind::Value, "loss", "label " + std::to_string(label) + " out of range 0.." + std::to_string(n - 1));
    const float* y = W.out.data() + last.act_offset;
    float* g = W.grad.out.data() + last.act_offset;   // dE/dy
    float* h = W.hess.out.data() + last.act_offset;  // Gauss-Newton d2E/dy2 (diagonal, >= 0)
    const bool rbf = spec_.layers.back().type == LayerType::Rbf;
    double E = 0.0;
    switch (spec_.loss) {
        case LossKind::Mse:
            if (rbf) {  // eq. 8: E = y_D, the squared distance to the correct class's prototype
                E = y[label];
                for (int k = 0; k < n; ++k) { g[k] = k == label ? 1.0f : 0.0f; h[k] = 0.0f; }
            } else {    // 1/2 sum (y - t)^2, t = 1 for the label, else -1 (scaled_tanh) or 0
                const float lo = spec_.layers.back().activation == Activation::ScaledTanh ? -1.0f : 0.0f;
                for (int k = 0; k < n; ++k) {
                    const float d = y[k] - (k == label ? 1.0f : lo);
                    E += 0.5 * double(d) * d;
                    g[k] = d;
                    h[k] = 1.0f;
                }
            }
            break;
        case LossKind::Map: {  // eq. 9: E = y_D + log(e^-j + sum_i e^-y_i), computed stably
            const double j = spec_.map_j;
            double m = j;
            for (int k = 0; k < n; ++k) m = std::min(m, double(y[k]));
            double z = std::exp(-(j - m));
            for (int k = 0; k < n; ++k) z += std::exp(-(double(y[k]) - m));
            E = double(y[label]) - m + std::log(z);
            for (int k = 0; k < n; ++k) {
                const double p = std::exp(-(double(y[k]) - m)) / z;
                g[k] = float((k == label ? 1.0 : 0.0) - p);
                h[k] = float(p * (1.0 - p));
            }
            break;
        }
        case LossKind::Xent: {  // softmax cross-entropy on logits z = y (or -y for an rbf output)
            const double sgn = rbf ? -1.0 : 1.0;
            double m = -1e300;
            for (int k = 0; k < n; ++k) m = std::max(m, sgn * y[k]);
            double z = 0.0;
            for (int k = 0; k < n; ++k) z += std::exp(sgn * y[k] - m);
            E = std::log(z) - (sgn * y[label] - m);
            for (int k = 0; k < n; ++k) {
                const double p = std::exp(sgn * y[k] - m) / z;
                g[k] = float(sgn * (p - (k == label ? 1.0 : 0.0)));
                h[k] = float(p * (1.0 - p));
            }
            break;
        }
    }
    W.loss = float(E);
    W.label = label;
    return W.loss;
}

// ================================================================================================
// The per-layer steps (SQ = false: gradients; SQ = true: Gauss-Newton second derivatives)
// ================================================================================================
namespace {

template <bool SQ>
WorkspaceImpl::Backward& buffers(WorkspaceImpl& W) { return SQ ? W.hess : W.grad; }

// Layer i's dE/dpre from its dE/dout through the activation; returns dE/dpre.
template <bool SQ>
const float* through_activation(const Network& net, WorkspaceImpl& W, int i) {
    const LayerInfo& info = net.layers()[size_t(i)];
    WorkspaceImpl::Backward& d = buffers<SQ>(W);
    const size_t o = info.act_offset;
    activation_backward<SQ>(d.pre.data() + o, d.out.data() + o, W.pre.data() + o, W.out.data() + o,
                            size_t(info.out.size()), net.spec().layers[size_t(i)].activation);
    return d.pre.data() + o;
}

// Where layer i's dE/din goes, zeroed: layer i-1's dE/dout, or for layer 0 dE/d(network input)
// when wanted (else null: not computed).
template <bool SQ>
float* input_grad(const Network& net, WorkspaceImpl& W, int i, bool want_input_grad) {
    WorkspaceImpl::Backward& d = buffers<SQ>(W);
    float* gin = i > 0 ? d.out.data() + W.offsets[size_t(i) - 1] : want_input_grad ? d.in.data() : nullptr;
    if (gin) std::fill_n(gin, size_t(net.layers()[size_t(i)].in.size()), 0.0f);
    return gin;
}

// Layer i's backward from its dE/dpre: dE/din added into gin (if not null), dE/dw and dE/db added
// into acc (laid out as params()).
template <bool SQ>
void layer_backward(const Network& net, WorkspaceImpl& W, int i, const float* gpre, float* gin, float* acc) {
    const LayerSpec& L = net.spec().layers[size_t(i)];
    const LayerInfo& info = net.layers()[size_t(i)];
    const float* in = W.layer_input(i);
    const float* w = net.params().data() + info.weight_offset;
    float* gw = acc + info.weight_offset;
    float* gb = acc + info.bias_offset;
    switch (L.type) {
        case LayerType::Conv:
            conv_backward<SQ>(gin, gw, gb, gpre, in, w, L.table.empty() ? nullptr : L.table.data(), info.in,
                              info.out, L.kernel, L.stride, L.padding, W.scratch.data());
            break;
        case LayerType::Pool:
            pool_backward<SQ>(gin, gw, gb, gpre, in, w, L.pool, info.in, info.out, L.kernel, L.stride);
            break;
        case LayerType::Full:
            full_backward<SQ>(gin, gw, gb, gpre, in, w, int(info.in.size()), info.out.c);
            break;
        case LayerType::Rbf: {
            const float* proto = net.fixed().data() + info.fixed_offset;
            if (SQ)  // the rbf is the last layer (validated); its dE/dy is the loss gradient
                rbf_backward_h(gin, W.grad.out.data() + info.act_offset, gpre, in, proto, int(info.in.size()),
                               info.out.c);
            else
                rbf_backward(gin, gpre, in, proto, int(info.in.size()), info.out.c);
            break;
        }
    }
}

// ================================================================================================
// The passes
// ================================================================================================
void gradient_pass(const Network& net, WorkspaceImpl& W, bool want_input_grad, float* grad) {
    for (int i = int(net.layers().size()) - 1; i >= 0; --i) {
        const float* gpre = through_activation<false>(net, W, i);
        float* gin = input_grad<false>(net, W, i, want_input_grad);
        layer_backward<false>(net, W, i, gpre, gin, grad);
    }
}

// Gauss-Newton: the gradient pass's data flow with every derivative, weight and input squared; it
// starts from the loss's d2E/dy2, which loss() leaves in W.hess.out.
void hessian_pass(const Network& net, WorkspaceImpl& W, bool want_input_grad, float* hdiag) {
    for (int i = int(net.layers().size()) - 1; i >= 0; --i) {
        const float* hpre = through_activation<true>(net, W, i);
        float* hin = input_grad<true>(net, W, i, want_input_grad);
        layer_backward<true>(net, W, i, hpre, hin, hdiag);
    }
}

// The per-sample step of update_pass: w -= step[k] * g[k] (step null: the scalar s).
struct Step {
    float*       params;  // the network's parameters
    const float* step;
    float        s;
    bool         keep;    // also leave each layer's gradient in grad
};

// w[k] -= step * g[k] over one layer's parameters: the kernels' rounding when they run (so that it
// matches their fused dense update), else the same expression here.
void apply_step(float* w, const float* g, const float* step, float s, size_t n) {
    if (kernels::apply_sgd(w, g, step, s, n)) return;
    if (step)
        for (size_t k = 0; k < n; ++k) w[k] = w[k] - step[k] * g[k];
    else
        for (size_t k = 0; k < n; ++k) w[k] = w[k] - s * g[k];
}

// Layer i's backward and update in one kernel, its weight gradient never stored (full layers, and
// convs whose kernel covers their input). False: not covered, nothing done.
bool fused_backward_update(const Network& net, const WorkspaceImpl& W, int i, const float* gpre, float* gin,
                           const Step& up) {
    const LayerSpec& L = net.spec().layers[size_t(i)];
    const LayerInfo& info = net.layers()[size_t(i)];
    const float* in = W.layer_input(i);
    float* w = up.params + info.weight_offset;
    float* b = up.params + info.bias_offset;
    const float* sw = up.step ? up.step + info.weight_offset : nullptr;
    const float* sb = up.step ? up.step + info.bias_offset : nullptr;
    if (L.type == LayerType::Full)
        return kernels::dense_backward_update(gin, w, b, gpre, in, int(info.in.size()), info.out.c, sw, sb, up.s);
    if (L.type == LayerType::Conv)
        return kernels::conv_backward_update(gin, w, b, gpre, in, L.table.empty() ? nullptr : L.table.data(),
                                             info.in, info.out, L.kernel, L.stride, L.padding, sw, sb, up.s);
    return false;
}

// The gradient pass with each layer's parameters updated as soon as its backward is done (this pass
// does not read them again). A layer's gradient goes into its zeroed slice of grad, then is applied;
// without `keep`, the layers the fused kernels cover skip the slice.
void update_pass(const Network& net, WorkspaceImpl& W, bool want_input_grad, float* grad, const Step& up) {
    for (int i = int(net.layers().size()) - 1; i >= 0; --i) {
        const LayerInfo& info = net.layers()[size_t(i)];
        const float* gpre = through_activation<false>(net, W, i);
        float* gin = input_grad<false>(net, W, i, want_input_grad);
        const size_t np = info.weight_count + info.bias_count;  // weights then biases, contiguous
        if (np == 0) {
            layer_backward<false>(net, W, i, gpre, gin, grad);
            continue;
        }
        if (!up.keep && fused_backward_update(net, W, i, gpre, gin, up)) continue;
        std::fill_n(grad + info.weight_offset, np, 0.0f);
        layer_backward<false>(net, W, i, gpre, gin, grad);
        apply_step(up.params + info.weight_offset, grad + info.weight_offset,
                   up.step ? up.step + info.weight_offset : nullptr, up.s, np);
    }
}

// Dense layers whose weight gradient is a rank-1 product (full layers; convs covering their input
// without a table): the ones the deferred pass records.
bool dense_like(const LayerSpec& L, const LayerInfo& info) {
    if (L.type == LayerType::Full) return true;
    return L.type == LayerType::Conv && L.table.empty() && conv_covers_input(info.in, L.kernel, L.padding);
}

// A recorded layer's backward: its dE/dpre and input into rec, then dE/din and dE/db only (the
// kernels). False: the kernels do not run, nothing but the record done.
bool record_dense(const Network& net, const WorkspaceImpl& W, int i, const float* gpre, float* gin, float* rec,
                  float* grad) {
    const LayerInfo& info = net.layers()[size_t(i)];
    const int I = int(info.in.size()), O = info.out.c;
    const float* in = W.layer_input(i);
    std::copy(gpre, gpre + O, rec);
    std::copy(in, in + I, rec + O);
    return kernels::dense_backward_no_dw(gin, grad + info.bias_offset, gpre,
                                         net.params().data() + info.weight_offset, I, O);
}

// The gradient pass with the recorded layers' weight gradients left out; they are in this sample's
// record, for flush_records.
void deferred_pass(const Network& net, WorkspaceImpl& W, bool want_input_grad, float* grad) {
    WorkspaceImpl::Deferred& d = W.defer;
    float* rec = d.rec.data() + size_t(d.n) * d.stride;
    for (int i = int(net.layers().size()) - 1; i >= 0; --i) {
        const float* gpre = through_activation<false>(net, W, i);
        float* gin = input_grad<false>(net, W, i, want_input_grad);
        const size_t off = d.off[size_t(i)];
        if (off != SIZE_MAX && record_dense(net, W, i, gpre, gin, rec + off, grad)) continue;
        layer_backward<false>(net, W, i, gpre, gin, grad);
    }
    d.grad = grad;
    d.n++;
}

// grad += the recorded samples' dense weight gradients, in sample order; the records are emptied.
void flush_records(const Network& net, WorkspaceImpl& W, float* grad) {
    WorkspaceImpl::Deferred& d = W.defer;
    const int n = d.n;
    d.n = 0;
    d.grad = nullptr;
    if (n == 0) return;
    const std::vector<LayerInfo>& layers = net.layers();
    for (size_t i = 0; i < layers.size(); ++i) {
        const size_t off = d.off[i];
        if (off == SIZE_MAX) continue;
        const LayerInfo& info = layers[i];
        const int I = int(info.in.size()), O = info.out.c;
        const float* g = d.rec.data() + off;
        const float* x = g + O;
        float* dw = grad + info.weight_offset;
        if (kernels::dense_weight_grads(dw, g, d.stride, x, d.stride, n, I, O)) continue;
        for (int s = 0; s < n; ++s)  // full_backward's portable loop, sample by sample
            full_weight_grad(dw, g + size_t(s) * d.stride, x + size_t(s) * d.stride, I, O);
    }
}

// ws's buffers, once it is known to fit the network and to hold a forward pass and its loss.
WorkspaceImpl& after_loss(const Network& net, Workspace& ws, const char* what) {
    WorkspaceImpl& W = ws.impl();
    W.check(net);
    if (W.label < 0 || W.done != int(net.layers().size()))
        throw Error(ErrorKind::Usage, what, std::string("call forward() and loss() before ") + what + "()");
    return W;
}

}  // namespace

// ================================================================================================
// The public entry points
// ================================================================================================
void Network::backward(Workspace& ws, float* grad) const {
    gradient_pass(*this, after_loss(*this, ws, "backward"), ws.want_input_grad, grad);
}

void Network::backward_hessian(Workspace& ws, float* hdiag) const {
    hessian_pass(*this, after_loss(*this, ws, "backward_hessian"), ws.want_input_grad, hdiag);
}

void Network::backward_update(Workspace& ws, float* grad, const float* step, float s, bool keep_grad) {
    update_pass(*this, after_loss(*this, ws, "backward_update"), ws.want_input_grad, grad,
                Step{params_.data(), step, s, keep_grad});
}

void Network::backward_deferred(Workspace& ws, float* grad) const {
    WorkspaceImpl& W = after_loss(*this, ws, "backward_deferred");
    WorkspaceImpl::Deferred& d = W.defer;
    if (d.n > 0 && grad != d.grad)
        throw Error(ErrorKind::Usage, "backward_deferred", "a different gradient buffer than the one with "
                                                           "recorded samples (call flush_deferred first)");
    // Records are added by the kernels' own rounding: without the kernels, the plain pass, after
    // adding what was recorded so that the sums keep their order.
    const bool record = d.cap > 0 && kernels::isa() != kernels::Isa::Portable;
    if (d.n > 0 && (d.n == d.cap || !record)) flush_records(*this, W, grad);
    if (record)
        deferred_pass(*this, W, ws.want_input_grad, grad);
    else
        gradient_pass(*this, W, ws.want_input_grad, grad);
}

void Network::flush_deferred(Workspace& ws, float* grad) const {
    WorkspaceImpl& W = ws.impl();
    W.check(*this);
    if (W.defer.n > 0 && grad != W.defer.grad)
        throw Error(ErrorKind::Usage, "flush_deferred", "not the gradient buffer the deferred gradients belong to");
    flush_records(*this, W, grad);
}

void Workspace::set_deferred(const Network& net, int cap) {
    impl_->check(net);
    WorkspaceImpl::Deferred& d = impl_->defer;
    if (cap < 0 || cap > 65536)
        throw Error(ErrorKind::Usage, "set_deferred", "cap must be in [0, 65536], got " + std::to_string(cap));
    if (d.n > 0)
        throw Error(ErrorKind::Usage, "set_deferred", "deferred gradients are pending (call flush_deferred first)");
    const std::vector<LayerInfo>& layers = net.layers();
    d.off.assign(layers.size(), SIZE_MAX);
    d.stride = 0;
    for (size_t i = 0; i < layers.size(); ++i)
        if (cap > 0 && dense_like(net.spec().layers[i], layers[i])) {
            d.off[i] = d.stride;
            d.stride += size_t(layers[i].out.c) + size_t(layers[i].in.size());
        }
    d.cap = d.stride ? cap : 0;
    d.rec.assign(size_t(d.cap) * d.stride, 0.0f);
    d.grad = nullptr;
}

}  // namespace lenet
