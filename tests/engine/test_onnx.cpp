// test_onnx.cpp — ONNX export and import (src/onnx_*.cpp): every preset survives export -> import
// unchanged (spec and weights, bit for bit), the exported graph is the documented one, and bad
// models (truncated, unknown ops, branches, cycles, missing initializers, huge dims) are refused with
// an Error naming the node and op. ONNX Runtime and onnx.checker on exported models:
// tests/tools/check_onnx.mjs; PyTorch exports: tests/tools/check_torch_onnx.py.
#include <doctest/doctest.h>
#include <lenet/lenet.h>

#include "../../engine/src/onnx_pb.h"

#include <string>

namespace {

lenet::Network preset(const std::string& name, uint64_t seed) {
    lenet::Network net(lenet::arch_preset(name));
    net.init(seed);
    return net;
}

std::string ops(const lenet::onnx::Model& m) {
    std::string s;
    for (const lenet::onnx::Node& n : m.nodes) s += (s.empty() ? "" : " ") + n.op;
    return s;
}

// The error message of importing m (re-encoded); "" when it imports.
std::string import_error(const lenet::onnx::Model& m, lenet::ErrorKind* kind = nullptr) {
    const std::vector<uint8_t> b = lenet::onnx::encode(m);
    try {
        lenet::network_from_onnx(b.data(), b.size(), "m.onnx");
    } catch (const lenet::Error& e) {
        if (kind) *kind = e.kind();
        return e.what();
    }
    return "";
}

lenet::onnx::Model exported(const std::string& name) {
    const std::vector<uint8_t> b = lenet::onnx_from_network(preset(name, 3));
    return lenet::onnx::decode(b.data(), b.size(), name);
}

}  // namespace

TEST_CASE("onnx: every preset survives export -> import bit for bit") {
    for (const std::string& name : lenet::arch_preset_names()) {
        CAPTURE(name);
        const lenet::Network net = preset(name, 7);
        const std::vector<uint8_t> b = lenet::onnx_from_network(net);
        const lenet::Network back = lenet::network_from_onnx(b.data(), b.size(), "x.onnx");
        CHECK(lenet::arch_to_json(back.spec()) == lenet::arch_to_json(net.spec()));
        CHECK(back.params() == net.params());
        CHECK(back.fixed() == net.fixed());
        CHECK(lenet::onnx_from_network(back) == b);
    }
}

TEST_CASE("onnx: the exported graphs use standard ops and take 28x28 pixel/255") {
    lenet::onnx::Model m = exported("lenet5-1998");
    CHECK(m.opset == 13);
    REQUIRE(m.inputs.size() == 1);
    CHECK(m.inputs[0].dims == std::vector<int64_t>{-1, 1, 28, 28});
    CHECK(ops(m) == "Pad Mul Add Conv Mul Tanh Mul AveragePool Mul Add Mul Tanh Mul Conv Mul Tanh Mul AveragePool "
                    "Mul Add Mul Tanh Mul Conv Mul Tanh Mul Flatten Gemm Mul Tanh Mul Reshape Sub Mul ReduceSum");
    m = exported("lenet5-relu");
    CHECK(ops(m) == "Pad Conv Relu MaxPool Conv Relu MaxPool Conv Relu Flatten Gemm Relu Gemm Softmax");
    CHECK(m.outputs[0].dims == std::vector<int64_t>{-1, 10});
}

TEST_CASE("onnx: without our metadata the graph alone gives the network") {
    lenet::onnx::Model m = exported("lenet5-1998");
    m.meta.clear();
    const std::vector<uint8_t> b = lenet::onnx::encode(m);
    const lenet::Network back = lenet::network_from_onnx(b.data(), b.size(), "x.onnx");
    const lenet::Network net = preset("lenet5-1998", 3);
    CHECK(back.spec().norm == lenet::InputNorm::Paper);
    CHECK(back.spec().input == lenet::Shape{1, 32, 32});
    CHECK(back.spec().layers[1].pool == lenet::PoolMode::Subsample);
    CHECK(back.spec().layers[2].table.empty());  // the C3 table's absent kernels are plain zeros
    CHECK(back.params() == net.params());
    CHECK(back.layers()[2].name == "C3");
    CHECK(back.layers().back().name == "OUTPUT");
}

TEST_CASE("onnx: bad models are refused naming the node and op") {
    const lenet::onnx::Model good = exported("lenet5");
    lenet::ErrorKind kind{};

    const std::vector<uint8_t> b = lenet::onnx::encode(good);
    for (size_t cut : {size_t(1), size_t(7), b.size() / 2, b.size() - 1}) {
        CAPTURE(cut);
        CHECK_THROWS_AS(lenet::network_from_onnx(b.data(), cut, "t.onnx"), lenet::Error);
    }

    lenet::onnx::Model m = good;
    m.nodes[4].op = "Celu";
    CHECK(import_error(m, &kind).find("node 'C3' (Celu): operator not supported") != std::string::npos);
    CHECK(kind == lenet::ErrorKind::Spec);

    m = good;
    for (size_t k = 0; k < m.inits.size(); k++)
        if (m.inits[k].name == "C1.bias") m.inits.erase(m.inits.begin() + long(k));
    CHECK(import_error(m, &kind).find("node 'C1' (Conv): input 'C1.bias' is neither an initializer") != std::string::npos);
    CHECK(kind == lenet::ErrorKind::Format);

    m = good;
    m.inits[0].dims = {int64_t(1) << 40, 1, 5, 5};
    CHECK(import_error(m, &kind).find("more than") != std::string::npos);
    CHECK(kind == lenet::ErrorKind::Format);

    m = good;
    m.inputs[0].dims = {-1, 1, 1 << 20, 28};
    CHECK(import_error(m).find("is not float [N, C, H, W]") != std::string::npos);

    m = good;
    m.nodes[1].attrs.push_back({"group", 2, 0, 2, "", {}, {}, {}});
    CHECK(import_error(m).find("node 'C1' (Conv): grouped convolution") != std::string::npos);

    m = good;  // a second reader of C1's output
    lenet::onnx::Node extra = m.nodes[2];
    extra.name = "spy";
    extra.out = {"spy"};
    m.nodes.push_back(extra);
    CHECK(import_error(m).find("not a branching graph") != std::string::npos);
}

TEST_CASE("onnx: a cycle is refused") {
    lenet::onnx::Model m = exported("lenet5");
    REQUIRE(ops(m).rfind("Pad Conv Tanh AveragePool", 0) == 0);
    m.nodes[3].out[0] = m.nodes[2].in[0];  // S2 writes what C1's Tanh reads: Tanh -> S2 -> Tanh -> ...
    const std::string e = import_error(m);
    CHECK(e.find("node 'C1.tanh' (Tanh): is reached twice: the graph has a cycle") != std::string::npos);
}
