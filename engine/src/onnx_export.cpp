// onnx_export.cpp — a Network as an ONNX model (opset 13) in standard operators only.
//
// The model takes [N, 1, 28, 28] floats of pixel/255 (torchvision's ToTensor), so MNIST digits can be
// fed to it directly; what prepare_input does is part of the graph: Pad to the network's input size
// (centred as prepare_input centres, value 0 = background), then the paper's scaling
// (x * 1.275 - 0.1, for InputNorm::Paper). Layers (mapping both ways: docs/file-formats.md):
//   conv        Conv (a connection table's absent kernels are zero)
//   avg / max   AveragePool / MaxPool
//   subsample   AveragePool, Mul by coeff * K * K ([1,C,1,1]), Add bias ([1,C,1,1])
//   full        Flatten (once, from a feature map), Gemm (transB = 1)
//   rbf         Reshape to [N,1,I], Sub the prototypes [O,I], Mul by itself, ReduceSum over the last axis
//   scaled tanh Mul by 2/3, Tanh, Mul by 1.7159; tanh, sigmoid, relu: Tanh, Sigmoid, Relu
// A network trained with softmax cross-entropy ends in Softmax (the scores `lenet5` reports). The
// architecture JSON rides along in the metadata ("lenet5.arch"), so an import gets the layer names,
// tables and loss back.
#include "lenet/lenet.h"

#include "layers.h"
#include "onnx_pb.h"

namespace lenet {

namespace {

constexpr int kDigitSide = 28;  // MNIST: what the exported model takes

struct Builder {
    onnx::Model m;
    std::string cur = "input";  // the value the next node reads
    int         rank = 4;       // of cur: 4 (N,C,H,W) or 2 (N,features)

    std::string init(const std::string& name, std::vector<int64_t> dims, std::vector<float> f) {
        onnx::Tensor t;
        t.name = name;
        t.dims = std::move(dims);
        t.f = std::move(f);
        m.inits.push_back(std::move(t));
        return name;
    }
    std::string init_i64(const std::string& name, std::vector<int64_t> values) {
        onnx::Tensor t;
        t.name = name;
        t.type = onnx::kInt64;
        t.dims = {int64_t(values.size())};
        t.i = std::move(values);
        m.inits.push_back(std::move(t));
        return name;
    }
    static onnx::Attr ints(const char* name, std::vector<int64_t> v) {
        onnx::Attr a;
        a.name = name;
        a.type = 7;
        a.ints = std::move(v);
        return a;
    }
    static onnx::Attr integer(const char* name, int64_t v) {
        onnx::Attr a;
        a.name = name;
        a.type = 2;
        a.i = v;
        return a;
    }
    // Appends a node reading cur (then `more`), writing "<name>"; cur becomes its output.
    void node(const std::string& name, const char* op, std::vector<std::string> more = {},
              std::vector<onnx::Attr> attrs = {}) {
        onnx::Node n;
        n.name = name;
        n.op = op;
        n.in.push_back(cur);
        for (std::string& s : more) n.in.push_back(std::move(s));
        n.out.push_back(name);
        n.attrs = std::move(attrs);
        m.nodes.push_back(std::move(n));
        cur = name;
    }
    void flatten(const std::string& layer) {
        if (rank == 2) return;
        node(layer + ".flatten", "Flatten", {}, {integer("axis", 1)});
        rank = 2;
    }
    void activation(const std::string& layer, Activation a) {
        switch (a) {
            case Activation::None: break;
            case Activation::Tanh: node(layer + ".tanh", "Tanh"); break;
            case Activation::Sigmoid: node(layer + ".sigmoid", "Sigmoid"); break;
            case Activation::Relu: node(layer + ".relu", "Relu"); break;
            case Activation::ScaledTanh:
                node(layer + ".scale_in", "Mul", {init(layer + ".tanh_s", {}, {detail::kScaledTanhS})});
                node(layer + ".tanh", "Tanh");
                node(layer + ".scale_out", "Mul", {init(layer + ".tanh_a", {}, {detail::kScaledTanhA})});
                break;
        }
    }
};

std::vector<float> slice(const std::vector<float>& v, size_t off, size_t n) {
    return std::vector<float>(v.begin() + long(off), v.begin() + long(off + n));
}

}  // namespace

std::vector<uint8_t> onnx_from_network(const Network& net) {
    const ArchSpec& spec = net.spec();
    const Shape in = spec.input;
    if (in.c != 1 || in.h < kDigitSide || in.w < kDigitSide)
        throw Error(ErrorKind::Usage, spec.name,
                    "ONNX export needs a network with one input channel of at least 28x28, this one takes " +
                        shape_str(in));
    Builder b;
    b.m.ir_version = 7;
    b.m.opset = 13;
    b.m.producer = "lenet5";
    b.m.producer_version = kVersion;
    b.m.graph_name = spec.name;
    b.m.meta.emplace_back("lenet5.arch", arch_to_json(spec));
    b.m.inputs.push_back({"input", onnx::kFloat, {-1, 1, kDigitSide, kDigitSide}});

    if (in.h != kDigitSide || in.w != kDigitSide) {  // centred as prepare_input centres a 28x28 digit
        const int64_t top = (in.h - kDigitSide) / 2, left = (in.w - kDigitSide) / 2;
        b.node("pad", "Pad",
               {b.init_i64("pad.pads", {0, 0, top, left, 0, 0, in.h - kDigitSide - top, in.w - kDigitSide - left})},
               {});
    }
    if (spec.norm == InputNorm::Paper) {  // pixel/255 in [0, 1] -> [-0.1, 1.175]
        b.node("norm.scale", "Mul", {b.init("norm.scale_value", {}, {1.275f})});
        b.node("norm.shift", "Add", {b.init("norm.shift_value", {}, {-0.1f})});
    }

    const std::vector<float>& P = net.params();
    Shape cur = in;
    for (const LayerInfo& L : net.layers()) {
        const LayerSpec& ls = spec.layers[size_t(&L - net.layers().data())];
        const std::string& n = L.name;
        switch (L.type) {
            case LayerType::Conv: {
                const int64_t K = ls.kernel, S = ls.stride, pad = ls.padding;
                b.node(n, "Conv",
                       {b.init(n + ".weight", {L.out.c, cur.c, K, K}, slice(P, L.weight_offset, L.weight_count)),
                        b.init(n + ".bias", {L.out.c}, slice(P, L.bias_offset, L.bias_count))},
                       {Builder::ints("kernel_shape", {K, K}), Builder::ints("strides", {S, S}),
                        Builder::ints("pads", {pad, pad, pad, pad})});
                break;
            }
            case LayerType::Pool: {
                const int64_t K = ls.kernel, S = ls.stride;
                const bool max = ls.pool == PoolMode::Max;
                b.node(ls.pool == PoolMode::Subsample ? n + ".avg" : n, max ? "MaxPool" : "AveragePool", {},
                       {Builder::ints("kernel_shape", {K, K}), Builder::ints("strides", {S, S})});
                if (ls.pool == PoolMode::Subsample) {  // sum x coeff = average x (coeff K K)
                    std::vector<float> scale = slice(P, L.weight_offset, L.weight_count);
                    for (float& v : scale) v *= float(K * K);
                    b.node(n + ".coeff", "Mul", {b.init(n + ".scale", {1, cur.c, 1, 1}, scale)});
                    b.node(n, "Add", {b.init(n + ".bias", {1, cur.c, 1, 1}, slice(P, L.bias_offset, L.bias_count))});
                }
                break;
            }
            case LayerType::Full:
                b.flatten(n);
                b.node(n, "Gemm",
                       {b.init(n + ".weight", {L.out.c, cur.size()}, slice(P, L.weight_offset, L.weight_count)),
                        b.init(n + ".bias", {L.out.c}, slice(P, L.bias_offset, L.bias_count))},
                       {Builder::integer("transB", 1)});
                break;
            case LayerType::Rbf: {
                b.flatten(n);
                const int64_t I = cur.size();
                b.node(n + ".rows", "Reshape", {b.init_i64(n + ".rows_shape", {-1, 1, I})});
                b.node(n + ".diff", "Sub",
                       {b.init(n + ".prototypes", {L.out.c, I}, slice(net.fixed(), L.fixed_offset, L.fixed_count))});
                b.node(n + ".square", "Mul", {b.cur});
                b.node(n, "ReduceSum", {b.init_i64(n + ".axes", {2})}, {Builder::integer("keepdims", 0)});
                b.rank = 2;
                break;
            }
        }
        b.activation(n, L.activation);
        cur = L.out;
    }
    b.flatten("output");  // a net ending in a feature map (conv/pool) still gives [N, features]
    if (spec.loss == LossKind::Xent && !net.outputs_are_penalties()) b.node("softmax", "Softmax", {}, {Builder::integer("axis", 1)});
    b.m.outputs.push_back({b.cur, onnx::kFloat, {-1, cur.size()}});
    return onnx::encode(b.m);
}

}  // namespace lenet
