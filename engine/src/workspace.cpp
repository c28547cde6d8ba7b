// workspace.cpp — Workspace: one sample's buffers (engine/src/workspace.h), allocated once, and the
// public read accessors. The passes that fill them are in network.cpp and backward.cpp.
#include "workspace.h"

#include <algorithm>
#include <string>

namespace lenet {

WorkspaceImpl::WorkspaceImpl(const Network& net) {
    const size_t in = size_t(net.input_shape().size()), acts = net.act_size_;
    for (const LayerInfo& L : net.layers()) offsets.push_back(L.act_offset);
    offsets.push_back(acts);
    input.assign(in, 0.0f);
    pre.assign(acts, 0.0f);
    out.assign(acts, 0.0f);
    for (Backward* b : {&grad, &hess}) {
        b->out.assign(acts, 0.0f);
        b->pre.assign(acts, 0.0f);
        b->in.assign(in, 0.0f);
    }
    scratch.assign(std::max<size_t>(net.scratch_size_, 1), 0.0f);
}

bool WorkspaceImpl::fits(const Network& net) const {
    return offsets.size() == net.layers().size() + 1 && pre.size() == net.act_size_ &&
           scratch.size() >= net.scratch_size_ && input.size() == size_t(net.input_shape().size());
}

void WorkspaceImpl::check(const Network& net) const {
    if (!fits(net))
        throw Error(ErrorKind::Usage, "workspace", "this Workspace was made for a different network");
}

Workspace::Workspace(const Network& net) : impl_(new WorkspaceImpl(net)) {}
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&& o) noexcept = default;
Workspace& Workspace::operator=(Workspace&& o) noexcept = default;

// A copy's recorded samples (set_deferred) still belong to the original's gradient buffer.
Workspace::Workspace(const Workspace& o)
    : want_input_grad(o.want_input_grad), impl_(o.impl_ ? new WorkspaceImpl(*o.impl_) : nullptr) {}

Workspace& Workspace::operator=(const Workspace& o) {
    if (this != &o) {
        want_input_grad = o.want_input_grad;
        impl_.reset(o.impl_ ? new WorkspaceImpl(*o.impl_) : nullptr);
    }
    return *this;
}

namespace {
size_t layer_offset(const WorkspaceImpl& w, int layer) {
    if (layer < 0 || layer + 1 >= int(w.offsets.size()))
        throw Error(ErrorKind::Usage, "workspace", "layer index " + std::to_string(layer) + " out of range");
    return w.offsets[size_t(layer)];
}
}  // namespace

const float* Workspace::input() const { return impl_->input.data(); }
const float* Workspace::pre(int layer) const { return impl_->pre.data() + layer_offset(*impl_, layer); }
const float* Workspace::out(int layer) const { return impl_->out.data() + layer_offset(*impl_, layer); }
float*       Workspace::mutable_out(int layer) { return impl_->out.data() + layer_offset(*impl_, layer); }
const float* Workspace::grad_out(int layer) const { return impl_->grad.out.data() + layer_offset(*impl_, layer); }
const float* Workspace::grad_pre(int layer) const { return impl_->grad.pre.data() + layer_offset(*impl_, layer); }
const float* Workspace::grad_input() const { return impl_->grad.in.data(); }
float        Workspace::last_loss() const { return impl_->loss; }
int          Workspace::layers_done() const { return impl_->done; }

}  // namespace lenet
