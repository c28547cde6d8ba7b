// onnx_import.cpp — an ONNX model as a Network: the graph is walked from its input to its output as
// a chain of nodes, and the chain is read as layers (the mapping: docs/file-formats.md):
//   [Pad] [Mul 1.275, Add -0.1]        the input frame (prepare_input's centring) and the paper's scaling
//   Conv                               conv (square kernel, equal strides and pads, group 1, no dilation)
//   AveragePool | MaxPool              avg | max pool; AveragePool, Mul [C], [Add [C]]: subsampling
//   Flatten | Reshape [-1, n]          nothing (a full layer reads a feature map in C, H, W order)
//   Gemm | MatMul [+ Add]              full
//   [Reshape|Unsqueeze] Sub Mul|Pow ReduceSum   rbf (squared distances to constant prototypes)
//   Tanh | Relu | Sigmoid | Mul 2/3, Tanh, Mul 1.7159   the activation of the layer before
//   Softmax | LogSoftmax               only last: the net is trained with softmax cross-entropy
//   Identity | Dropout | Pad of zeros  skipped
// Constants are initializers or Constant nodes. Anything else (an unknown op, a branch, a cycle, a
// missing initializer, an attribute the engine cannot honour) is an Error naming the node and its
// op: a model is imported exactly or not at all. Layers are named C<k>, S<k>, F<k> by position (k
// from 1) and the last one OUTPUT, as the presets; a model exported by `lenet5` carries its
// architecture JSON in the metadata, and when it describes the same layers its names, tables, loss
// and description are taken from there.
#include "lenet/lenet.h"

#include "layers.h"
#include "onnx_pb.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

namespace lenet {

namespace {

using onnx::Node;
using onnx::Tensor;

std::string dims_text(const std::vector<int64_t>& d) {
    std::string s = "[";
    for (size_t k = 0; k < d.size(); k++) s += (k ? "," : "") + std::to_string(d[k]);
    return s + "]";
}

bool near(float a, float b) { return std::fabs(a - b) <= 1e-6f * std::max(1.0f, std::fabs(b)); }

struct Importer {
    const onnx::Model&                   m;
    std::string                          where;
    std::map<std::string, const Tensor*> consts;
    std::deque<Tensor>                   own;    // Constant nodes' values
    std::vector<const Node*>             chain;
    size_t                               i = 0;  // position in chain
    ArchSpec                             spec;
    std::vector<std::pair<size_t, NpyTensor>> tensors;  // (layer index, tensor named by its suffix)
    Shape                                cur;

    [[noreturn]] void fail(const Node& n, const std::string& msg, ErrorKind k = ErrorKind::Spec) const {
        throw Error(k, where, "node '" + n.name + "' (" + n.op + "): " + msg);
    }
    const Node* at(size_t k) const { return k < chain.size() ? chain[k] : nullptr; }
    bool is(size_t k, const char* op) const { return at(k) && at(k)->op == op; }

    // The constant input `k` of node n (null when absent and optional).
    const Tensor* input(const Node& n, size_t k, bool required = true) const {
        if (k >= n.in.size() || n.in[k].empty()) {
            if (required) fail(n, "input " + std::to_string(k + 1) + " is missing", ErrorKind::Format);
            return nullptr;
        }
        auto it = consts.find(n.in[k]);
        if (it == consts.end()) fail(n, "input '" + n.in[k] + "' is not a constant", ErrorKind::Format);
        return it->second;
    }
    const std::vector<float>& floats(const Node& n, const Tensor& t) const {
        if (t.type != onnx::kFloat) fail(n, "tensor '" + t.name + "' is not float32 (data type " + std::to_string(t.type) + ")");
        return t.f;
    }
    std::vector<int64_t> ints_in(const Node& n, size_t k) const {
        const Tensor* t = input(n, k);
        if (t->type != onnx::kInt64) fail(n, "tensor '" + t->name + "' is not int64");
        return t->i;
    }
    float scalar(const Node& n, size_t k) const {
        const Tensor* t = input(n, k);
        if (t->type != onnx::kFloat || t->f.size() != 1) fail(n, "needs a float scalar constant, '" + t->name + "' is not");
        return t->f[0];
    }
    std::vector<int64_t> ints_attr(const Node& n, const char* name, std::vector<int64_t> dflt) const {
        const onnx::Attr* a = n.attr(name);
        return a ? a->ints : dflt;
    }
    int64_t int_attr(const Node& n, const char* name, int64_t dflt) const {
        const onnx::Attr* a = n.attr(name);
        return a ? a->i : dflt;
    }
    void no_auto_pad(const Node& n) const {
        const onnx::Attr* a = n.attr("auto_pad");
        if (a && !a->s.empty() && a->s != "NOTSET") fail(n, "auto_pad " + a->s + " is not supported (give explicit pads)");
    }
    // A pair of equal values from attribute `name` (of 2 or, for pads, 4 entries), else dflt.
    int square(const Node& n, const char* name, int dflt, size_t count = 2) const {
        std::vector<int64_t> v = ints_attr(n, name, std::vector<int64_t>(count, dflt));
        if (v.size() != count) fail(n, std::string(name) + " " + dims_text(v) + " must have " + std::to_string(count) + " values");
        for (int64_t x : v)
            if (x != v[0]) fail(n, std::string(name) + " " + dims_text(v) + " differ: the engine needs them equal");
        if (v[0] < 0 || v[0] > 4096) fail(n, std::string(name) + " " + dims_text(v) + " is out of range");
        return int(v[0]);
    }

    // A tensor of the newest layer: suffix ".weight", ".bias", ".coeff" or ".prototypes".
    void add_tensor(const char* suffix, std::vector<int64_t> shape, std::vector<float> data) {
        tensors.push_back({spec.layers.size() - 1, NpyTensor{suffix, std::move(shape), std::move(data)}});
    }
    LayerSpec& add_layer(const Node& n, LayerType t, const char* prefix) {
        if (spec.layers.size() >= 256) fail(n, "more than 256 layers");
        LayerSpec L;
        L.type = t;
        L.name = prefix + std::to_string(spec.layers.size() + 1);
        spec.layers.push_back(L);
        return spec.layers.back();
    }
    void activation(const Node& n, Activation a) {
        if (spec.layers.empty()) fail(n, "an activation before any layer");
        LayerSpec& L = spec.layers.back();
        if (L.activation != Activation::None) fail(n, "a second activation after layer " + std::to_string(spec.layers.size()));
        L.activation = a;
    }
    // Mul 2/3, Tanh, Mul 1.7159 starting at chain[k]?
    bool scaled_tanh_at(size_t k) const {
        if (!is(k, "Mul") || !is(k + 1, "Tanh") || !is(k + 2, "Mul")) return false;
        auto value = [&](const Node& n) {
            const Tensor* t = nullptr;
            for (size_t j = 0; j < n.in.size(); j++) {
                auto it = consts.find(n.in[j]);
                if (it != consts.end()) t = it->second;
            }
            return t && t->type == onnx::kFloat && t->f.size() == 1 ? t->f[0] : NAN;
        };
        return near(value(*chain[k]), detail::kScaledTanhS) && near(value(*chain[k + 2]), detail::kScaledTanhA);
    }

    void build_consts() {
        for (const Tensor& t : m.inits) consts[t.name] = &t;
        for (const Node& n : m.nodes) {
            if (n.op != "Constant") continue;
            if (n.out.size() != 1) fail(n, "needs one output", ErrorKind::Format);
            Tensor t;
            t.name = n.out[0];
            if (const onnx::Attr* a = n.attr("value")) t = a->t;
            else if ((a = n.attr("value_float"))) t.f = {a->f};
            else if ((a = n.attr("value_floats"))) { t.f = a->floats; t.dims = {int64_t(a->floats.size())}; }
            else if ((a = n.attr("value_int"))) { t.type = onnx::kInt64; t.i = {a->i}; }
            else if ((a = n.attr("value_ints"))) { t.type = onnx::kInt64; t.i = a->ints; t.dims = {int64_t(a->ints.size())}; }
            else fail(n, "has no value this importer reads (value, value_float(s), value_int(s))");
            t.name = n.out[0];
            own.push_back(std::move(t));
            consts[n.out[0]] = &own.back();
        }
    }

    // The nodes from the graph input to its output, each reading the previous one's output.
    void walk(const std::string& input, const std::string& output) {
        std::map<std::string, const Node*> producer;
        for (const Node& n : m.nodes)
            for (const std::string& o : n.out) producer[o] = &n;
        std::vector<uint8_t> used(m.nodes.size(), 0);
        std::string v = input;
        while (v != output) {
            const Node* next = nullptr;
            for (const Node& n : m.nodes) {
                if (n.op == "Constant" || std::find(n.in.begin(), n.in.end(), v) == n.in.end()) continue;
                if (next) fail(n, "reads '" + v + "' as node '" + next->name + "' (" + next->op +
                                      ") does: the importer reads a chain of layers, not a branching graph");
                next = &n;
            }
            if (!next) {
                throw Error(ErrorKind::Format, where,
                            "value '" + v + "' is read by no node and is not the graph's output '" + output + "'");
            }
            const Node& n = *next;
            size_t idx = size_t(next - m.nodes.data());
            if (used[idx]) fail(n, "is reached twice: the graph has a cycle", ErrorKind::Format);
            used[idx] = 1;
            if (!n.domain.empty() && n.domain != "ai.onnx") fail(n, "operator domain '" + n.domain + "' is not supported");
            for (const std::string& s : n.in) {
                if (s.empty() || s == v || consts.count(s)) continue;
                auto p = producer.find(s);
                if (p == producer.end())
                    fail(n, "input '" + s + "' is neither an initializer nor any node's output (missing initializer)",
                         ErrorKind::Format);
                fail(n, "input '" + s + "' is computed by node '" + p->second->name + "' (" + p->second->op +
                            "): the importer reads a chain of layers, not a branching graph");
            }
            if (n.out.empty() || n.out[0].empty()) fail(n, "has no output", ErrorKind::Format);
            chain.push_back(&n);
            v = n.out[0];
        }
    }

    void read_input_frame() {
        if (is(i, "Pad")) {
            const Node& n = *chain[i];
            const onnx::Attr* mode = n.attr("mode");
            if (mode && !mode->s.empty() && mode->s != "constant") fail(n, "pad mode '" + mode->s + "' is not supported");
            std::vector<int64_t> p = n.in.size() > 1 ? ints_in(n, 1) : ints_attr(n, "pads", {});
            const Tensor* value = n.in.size() > 2 && !n.in[2].empty() ? input(n, 2) : nullptr;
            if (value && (value->type != onnx::kFloat || value->f.size() != 1 || value->f[0] != 0.0f))
                fail(n, "only padding with 0 (the background) is supported");
            if (p.size() != 8 || p[0] || p[1] || p[4] || p[5])
                fail(n, "pads " + dims_text(p) + " must pad height and width of [N, C, H, W] only");
            for (int64_t x : p)
                if (x < 0 || x > 4096) fail(n, "pads " + dims_text(p) + " are out of range");
            // prepare_input centres a digit in the frame: top = (H' - H) / 2, left = (W' - W) / 2.
            if (p[2] != (p[2] + p[6]) / 2 || p[3] != (p[3] + p[7]) / 2)
                fail(n, "pads " + dims_text(p) + " do not centre the image as the engine does ((total)/2 before)");
            cur.h += int(p[2] + p[6]);
            cur.w += int(p[3] + p[7]);
            i++;
        }
        if (is(i, "Mul") && is(i + 1, "Add")) {
            const float a = scalar(*chain[i], 1), b = scalar(*chain[i + 1], 1);
            if (!near(a, 1.275f) || !near(b, -0.1f))
                fail(*chain[i], "input scaling x * " + std::to_string(a) + " + " + std::to_string(b) +
                                    " is not one the engine knows (pixel/255, or the paper's x * 1.275 - 0.1)");
            spec.norm = InputNorm::Paper;
            i += 2;
        }
        spec.input = cur;
    }

    // A Pad that pads nothing (PyTorch 1.13 puts one before each AveragePool).
    bool no_padding(const Node& n) const {
        std::vector<int64_t> p = n.in.size() > 1 ? ints_in(n, 1) : ints_attr(n, "pads", {});
        for (int64_t x : p)
            if (x != 0) return false;
        return true;
    }

    void conv(const Node& n) {
        if (cur.h == 1 && cur.w == 1 && spec.layers.size() && spec.layers.back().type == LayerType::Full)
            fail(n, "a conv after a full layer is not supported");
        const Tensor* w = input(n, 1);
        const Tensor* b = input(n, 2, false);
        const std::vector<float>& wf = floats(n, *w);
        if (w->dims.size() != 4 || w->dims[2] != w->dims[3])
            fail(n, "weight '" + w->name + "' " + dims_text(w->dims) + " is not [O, I, K, K] with a square kernel");
        if (int_attr(n, "group", 1) != 1) fail(n, "grouped convolution is not supported (group must be 1)");
        if (square(n, "dilations", 1) != 1) fail(n, "dilated convolution is not supported");
        no_auto_pad(n);
        const int K = int(w->dims[2]), O = int(w->dims[0]);
        if (square(n, "kernel_shape", K) != K) fail(n, "kernel_shape differs from the weight's " + dims_text(w->dims));
        if (w->dims[1] != cur.c)
            fail(n, "weight " + dims_text(w->dims) + " reads " + std::to_string(w->dims[1]) + " channels, its input has " +
                        std::to_string(cur.c));
        LayerSpec& L = add_layer(n, LayerType::Conv, "C");
        L.units = O;
        L.kernel = K;
        L.stride = square(n, "strides", 1);
        L.padding = square(n, "pads", 0, 4);
        if (L.stride < 1 || cur.h + 2 * L.padding < K || cur.w + 2 * L.padding < K)
            fail(n, "kernel " + std::to_string(K) + " does not fit its input " + shape_str(cur));
        add_tensor(".weight", w->dims, wf);
        add_tensor(".bias", {O}, bias(n, b, O));
        cur = {O, (cur.h + 2 * L.padding - K) / L.stride + 1, (cur.w + 2 * L.padding - K) / L.stride + 1};
        i++;
    }
    std::vector<float> bias(const Node& n, const Tensor* b, int count) const {
        if (!b) return std::vector<float>(size_t(count), 0.0f);
        if (b->f.size() != size_t(count) || b->type != onnx::kFloat)
            fail(n, "bias '" + b->name + "' " + dims_text(b->dims) + " must hold " + std::to_string(count) + " floats");
        return b->f;
    }

    void pool(const Node& n) {
        const bool max = n.op == "MaxPool";
        no_auto_pad(n);
        if (square(n, "pads", 0, 4) != 0) fail(n, "padded pooling is not supported");
        if (int_attr(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode 1 is not supported");
        if (square(n, "dilations", 1) != 1) fail(n, "dilated pooling is not supported");
        const int K = square(n, "kernel_shape", 0);
        LayerSpec& L = add_layer(n, LayerType::Pool, "S");
        L.pool = max ? PoolMode::Max : PoolMode::Avg;
        L.kernel = K;
        L.stride = square(n, "strides", 1);
        if (K < 1 || L.stride < 1 || cur.h < K || cur.w < K) fail(n, "window " + std::to_string(K) + " does not fit its input " + shape_str(cur));
        i++;
        // AveragePool, Mul [C], [Add [C]]: trainable subsampling (sum x coeff + bias).
        if (!max && is(i, "Mul") && !scaled_tanh_at(i)) {
            const Node& mul = *chain[i];
            const std::vector<float>& s = floats(mul, *input(mul, mul.in[0] == chain[i - 1]->out[0] ? 1 : 0));
            if (s.size() != size_t(cur.c)) fail(mul, "a subsampling coefficient needs one value per channel (" + std::to_string(cur.c) + ")");
            L.pool = PoolMode::Subsample;
            std::vector<float> coeff(s);
            for (float& v : coeff) v /= float(K * K);
            add_tensor(".coeff", {cur.c}, coeff);
            i++;
            const Tensor* b = nullptr;
            if (is(i, "Add")) {
                const Node& add = *chain[i];
                b = input(add, add.in[0] == mul.out[0] ? 1 : 0);
                i++;
            }
            add_tensor(".bias", {cur.c}, bias(mul, b, cur.c));
        }
        cur = {cur.c, (cur.h - K) / L.stride + 1, (cur.w - K) / L.stride + 1};
    }

    void full(const Node& n, std::vector<float> w, int O, int I, const Tensor* b, const Node& bnode) {
        if (I != cur.size()) fail(n, "weight reads " + std::to_string(I) + " values, its input has " + std::to_string(cur.size()));
        LayerSpec& L = add_layer(n, LayerType::Full, "F");
        L.units = O;
        add_tensor(".weight", {O, I}, std::move(w));
        add_tensor(".bias", {O}, bias(bnode, b, O));
        cur = {O, 1, 1};
    }
    void gemm(const Node& n) {
        const onnx::Attr* alpha = n.attr("alpha");
        const onnx::Attr* beta = n.attr("beta");
        if ((alpha && alpha->f != 1.0f) || (beta && beta->f != 1.0f) || int_attr(n, "transA", 0) != 0)
            fail(n, "only alpha = beta = 1 and transA = 0 are supported");
        const Tensor* w = input(n, 1);
        const std::vector<float>& wf = floats(n, *w);
        if (w->dims.size() != 2) fail(n, "weight '" + w->name + "' " + dims_text(w->dims) + " is not a matrix");
        const bool tb = int_attr(n, "transB", 0) != 0;
        const int O = int(tb ? w->dims[0] : w->dims[1]), I = int(tb ? w->dims[1] : w->dims[0]);
        i++;
        full(n, tb ? wf : transpose(wf, I, O), O, I, input(n, 2, false), n);
    }
    void matmul(const Node& n) {
        const Tensor* w = input(n, 1);
        const std::vector<float>& wf = floats(n, *w);
        if (w->dims.size() != 2) fail(n, "weight '" + w->name + "' " + dims_text(w->dims) + " is not a matrix");
        const int I = int(w->dims[0]), O = int(w->dims[1]);
        i++;
        const Tensor* b = nullptr;
        const Node* bn = &n;
        if (is(i, "Add")) {
            bn = chain[i];
            b = input(*bn, bn->in[0] == n.out[0] ? 1 : 0);
            i++;
        }
        full(n, transpose(wf, I, O), O, I, b, *bn);
    }
    static std::vector<float> transpose(const std::vector<float>& a, int rows, int cols) {
        std::vector<float> t(a.size());
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[size_t(c) * rows + r] = a[size_t(r) * cols + c];
        return t;
    }

    // [Reshape [-1,1,I] | Unsqueeze 1], Sub P[O,I], Mul d d | Pow d 2, ReduceSum axis 2|-1 keepdims 0
    void rbf(const Node& first) {
        if (is(i, "Reshape") || is(i, "Unsqueeze")) i++;
        if (!is(i, "Sub")) fail(first, "is not followed by Sub (the RBF pattern)");
        const Node& sub = *chain[i];
        if (sub.in.size() != 2 || consts.count(sub.in[0])) fail(sub, "the prototypes must be subtracted from the input");
        const Tensor* p = input(sub, 1);
        const std::vector<float>& pf = floats(sub, *p);
        if (p->dims.size() != 2 || p->dims[1] != cur.size())
            fail(sub, "prototypes '" + p->name + "' " + dims_text(p->dims) + " are not [units, " + std::to_string(cur.size()) + "]");
        i++;
        const Node* sq = at(i);
        const bool mul = sq && sq->op == "Mul" && sq->in.size() == 2 && sq->in[0] == sub.out[0] && sq->in[1] == sub.out[0];
        const bool pow = sq && sq->op == "Pow" && sq->in.size() == 2 && consts.count(sq->in[1]) && scalar(*sq, 1) == 2.0f;
        if (!mul && !pow) fail(sub, "is not followed by a square (Mul of itself, or Pow 2): the RBF pattern");
        i++;
        if (!is(i, "ReduceSum")) fail(*sq, "is not followed by ReduceSum: the RBF pattern");
        const Node& rs = *chain[i];
        std::vector<int64_t> axes = rs.in.size() > 1 ? ints_in(rs, 1) : ints_attr(rs, "axes", {});
        if (axes.size() != 1 || (axes[0] != 2 && axes[0] != -1) || int_attr(rs, "keepdims", 1) != 0)
            fail(rs, "must sum over the last axis with keepdims 0 (the RBF pattern)");
        i++;
        LayerSpec& L = add_layer(rs, LayerType::Rbf, "R");
        L.units = int(p->dims[0]);
        L.prototypes = "digits-7x12";
        add_tensor(".prototypes", p->dims, pf);
        cur = {L.units, 1, 1};
    }

    void layers() {
        while (i < chain.size()) {
            const Node& n = *chain[i];
            const std::string& op = n.op;
            if (op == "Identity" || op == "Dropout" || (op == "Pad" && no_padding(n))) i++;
            else if (op == "Conv") conv(n);
            else if (op == "AveragePool" || op == "MaxPool") pool(n);
            else if (op == "Gemm") gemm(n);
            else if (op == "MatMul") matmul(n);
            else if (op == "Sub" || ((op == "Reshape" || op == "Unsqueeze") && is(i + 1, "Sub"))) rbf(n);
            else if (op == "Flatten") {
                if (int_attr(n, "axis", 1) != 1) fail(n, "only axis 1 is supported");
                i++;
            } else if (op == "Reshape") {
                std::vector<int64_t> s = ints_in(n, 1);
                if (s.size() != 2 || !(s[1] == cur.size() || (s[1] == -1 && (s[0] == -1 || s[0] >= 0))))
                    fail(n, "shape " + dims_text(s) + " is not a flatten to [N, " + std::to_string(cur.size()) + "]");
                i++;
            } else if (op == "Tanh" || op == "Relu" || op == "Sigmoid") {
                activation(n, op == "Tanh" ? Activation::Tanh : op == "Relu" ? Activation::Relu : Activation::Sigmoid);
                i++;
            } else if (scaled_tanh_at(i)) {
                activation(n, Activation::ScaledTanh);
                i += 3;
            } else if (op == "Softmax" || op == "LogSoftmax") {
                if (i + 1 != chain.size()) fail(n, "only supported as the last node");
                const int64_t axis = int_attr(n, "axis", m.opset >= 13 ? -1 : 1);
                if (axis != 1 && axis != -1) fail(n, "only axis 1 (the classes) is supported");
                spec.loss = LossKind::Xent;
                i++;
            } else {
                fail(n, "operator not supported here (the importer reads Conv, AveragePool, MaxPool, Flatten, "
                        "Reshape, Gemm, MatMul, Add, Tanh, Relu, Sigmoid, Softmax and the patterns of "
                        "docs/file-formats.md)");
            }
        }
    }

    // The metadata spec of a `lenet5` export, when it describes the layers read from the graph.
    void adopt_metadata() {
        for (const auto& kv : m.meta) {
            if (kv.first != "lenet5.arch") continue;
            ArchSpec s;
            try {
                s = arch_from_json(kv.second, where);
            } catch (const Error&) {
                return;  // advisory only: the graph has been read in full already
            }
            if (s.input != spec.input || s.norm != spec.norm || s.layers.size() != spec.layers.size()) return;
            for (size_t k = 0; k < s.layers.size(); k++) {
                const LayerSpec &a = s.layers[k], &b = spec.layers[k];
                bool same = a.type == b.type && a.units == b.units && a.kernel == b.kernel && a.activation == b.activation;
                if (a.type == LayerType::Conv) same = same && a.stride == b.stride && a.padding == b.padding;
                if (a.type == LayerType::Pool) same = same && a.stride == b.stride && a.pool == b.pool;
                if (!same) return;
            }
            spec = s;
            return;
        }
    }
};

}  // namespace

Network network_from_onnx(const uint8_t* bytes, size_t size, const std::string& where) {
    const onnx::Model m = onnx::decode(bytes, size, where);
    Importer im{m, where, {}, {}, {}, 0, {}, {}, {}};
    im.build_consts();
    std::vector<const onnx::Value*> inputs;
    for (const onnx::Value& v : m.inputs)
        if (!im.consts.count(v.name)) inputs.push_back(&v);
    if (inputs.size() != 1 || m.outputs.size() != 1)
        throw Error(ErrorKind::Spec, where,
                    "the graph has " + std::to_string(inputs.size()) + " inputs and " + std::to_string(m.outputs.size()) +
                        " outputs; the importer reads one image input and one output");
    const onnx::Value& in = *inputs[0];
    if (in.type != onnx::kFloat || in.dims.size() != 4 || in.dims[1] < 1 || in.dims[2] < 1 || in.dims[3] < 1 ||
        in.dims[1] > 4096 || in.dims[2] > 4096 || in.dims[3] > 4096)
        throw Error(ErrorKind::Spec, where,
                    "input '" + in.name + "' " + dims_text(in.dims) + " is not float [N, C, H, W] with known C, H, W");
    im.cur = {int(in.dims[1]), int(in.dims[2]), int(in.dims[3])};
    im.walk(in.name, m.outputs[0].name);
    im.spec.name = "onnx-model";
    im.spec.description = "Imported from ONNX" + (m.producer.empty() ? std::string() : " (" + m.producer + " " + m.producer_version + ")");
    im.spec.norm = InputNorm::Unit;
    im.spec.init = InitKind::Pytorch;
    im.spec.loss = LossKind::Xent;
    im.read_input_frame();
    im.layers();
    if (im.spec.layers.empty()) throw Error(ErrorKind::Spec, where, "the graph has no layers");
    im.spec.layers.back().name = "OUTPUT";
    if (im.spec.layers.back().type == LayerType::Rbf) im.spec.loss = LossKind::Mse;
    im.adopt_metadata();
    Network net(im.spec);
    std::vector<NpyTensor> tensors;
    for (auto& lt : im.tensors) {
        tensors.push_back(std::move(lt.second));
        tensors.back().name = im.spec.layers[lt.first].name + tensors.back().name;
    }
    set_tensors(net, tensors, where);
    return net;
}

}  // namespace lenet
