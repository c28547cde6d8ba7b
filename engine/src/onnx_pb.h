// onnx_pb.h — internal: the part of an ONNX model the engine reads and writes, as plain C++ values,
// and its protobuf encoding (nanopb, code generated from Debian's onnx.proto; cmake/LenetOnnxProto.cmake).
//
// Not part of the public API. Decoding is bounded by the input (nanopb allocates only what the bytes
// hold) and every failure is a lenet::Error(Format) naming the source. Fields the engine never uses
// (subgraphs, functions, training info, ...) are skipped while decoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lenet {
namespace onnx {

enum : int32_t { kFloat = 1, kInt64 = 7 };  // TensorProto.DataType values the engine reads

struct Tensor {
    std::string          name;
    int32_t              type = kFloat;
    std::vector<int64_t> dims;
    std::vector<float>   f;  // kFloat (from raw_data or float_data)
    std::vector<int64_t> i;  // kInt64 (from raw_data or int64_data)
    int64_t size() const;    // product of dims (1 for a scalar); -1 if out of range
};

struct Attr {
    std::string          name;
    int                  type = 0;  // AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS
    float                f = 0;
    int64_t              i = 0;
    std::string          s;
    Tensor               t;
    std::vector<float>   floats;
    std::vector<int64_t> ints;
};

struct Node {
    std::string              name, op, domain;
    std::vector<std::string> in, out;
    std::vector<Attr>        attrs;
    const Attr* attr(const char* n) const;
};

struct Value {                     // a graph input or output: an elem type and a shape
    std::string          name;
    int32_t              type = kFloat;
    std::vector<int64_t> dims;     // -1: symbolic (dim_param) or unknown
};

struct Model {
    int64_t                 ir_version = 0, opset = 0;  // opset: of the default ("" / "ai.onnx") domain
    std::string             producer, producer_version;
    std::string             graph_name;
    std::vector<Node>       nodes;
    std::vector<Tensor>     inits;
    std::vector<Value>      inputs, outputs;
    std::vector<std::pair<std::string, std::string>> meta;  // metadata_props
};

Model                decode(const uint8_t* bytes, size_t size, const std::string& where);
std::vector<uint8_t> encode(const Model& m);

}  // namespace onnx
}  // namespace lenet
