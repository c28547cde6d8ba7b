// onnx_pb.cpp — ONNX protobuf bytes <-> the plain values of onnx_pb.h, through nanopb.
//
// Decoding: nanopb decodes the whole ModelProto (strings, bytes and repeated fields malloc'ed,
// released before returning), then the fields the engine uses are copied into C++ values. Tensor
// data is checked against its dims before anything is allocated for it. Encoding: nanopb structs
// that point into the C++ values (and into a few buffers kept alive while encoding).
#include "onnx_pb.h"

#include "lenet/lenet.h"

#include <onnx.pb.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>
#include <deque>

namespace lenet {
namespace onnx {

namespace {

constexpr int64_t kMaxElements = int64_t(64) << 20;  // the largest tensor the engine can use (256 MB)

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// An enum field as nanopb stored it: any int32 from the wire (reading it as the C++ enum type would
// be undefined for values outside the enum).
template <class E>
int32_t enum_value(const E& e) {
    static_assert(sizeof(E) == sizeof(int32_t), "nanopb enums are int-sized");
    int32_t v;
    std::memcpy(&v, &e, sizeof v);
    return v;
}

std::string dims_text(const std::vector<int64_t>& d) {
    std::string s = "[";
    for (size_t k = 0; k < d.size(); k++) s += (k ? "," : "") + std::to_string(d[k]);
    return s + "]";
}

Tensor tensor_from(const onnx_TensorProto& p, const std::string& where) {
    Tensor t;
    t.name = str(p.name);
    t.type = p.has_data_type ? p.data_type : 0;
    t.dims.assign(p.dims, p.dims + p.dims_count);
    const std::string what = "tensor '" + t.name + "'";
    const int64_t n = t.size();
    if (n < 0)
        throw Error(ErrorKind::Format, where, what + " has dims " + dims_text(t.dims) + ": negative, or more than " +
                                                 with_commas(uint64_t(kMaxElements)) + " elements");
    if (p.has_data_location && enum_value(p.data_location) == onnx_TensorProto_DataLocation_EXTERNAL)
        throw Error(ErrorKind::Format, where, what + " keeps its data in an external file (not supported: save the "
                                                 "model with its weights inside)");
    const size_t raw = p.raw_data ? p.raw_data->size : 0;
    if (t.type == kFloat || t.type == kInt64) {
        const size_t esize = t.type == kFloat ? 4 : 8;
        const size_t have = p.raw_data ? raw / esize : t.type == kFloat ? p.float_data_count : p.int64_data_count;
        if ((p.raw_data && raw % esize != 0) || have != size_t(n))
            throw Error(ErrorKind::Format, where, what + " " + dims_text(t.dims) + " needs " + with_commas(uint64_t(n)) +
                                                     " values but holds " + with_commas(have));
        if (t.type == kFloat) {
            t.f.resize(size_t(n));
            if (p.raw_data) std::memcpy(t.f.data(), p.raw_data->bytes, raw);  // little-endian, as the hosts
            else if (n) std::memcpy(t.f.data(), p.float_data, size_t(n) * 4);
        } else {
            t.i.resize(size_t(n));
            if (p.raw_data) std::memcpy(t.i.data(), p.raw_data->bytes, raw);
            else if (n) std::memcpy(t.i.data(), p.int64_data, size_t(n) * 8);
        }
    }
    return t;
}

Value value_from(const onnx_ValueInfoProto& p) {
    Value v;
    v.name = str(p.name);
    v.type = 0;
    if (p.has_type && p.type.which_value == onnx_TypeProto_tensor_type_tag) {
        const onnx_TypeProto_Tensor& tt = p.type.value.tensor_type;
        v.type = tt.has_elem_type ? tt.elem_type : 0;
        if (tt.has_shape)
            for (pb_size_t k = 0; k < tt.shape.dim_count; k++) {
                const onnx_TensorShapeProto_Dimension& d = tt.shape.dim[k];
                v.dims.push_back(d.which_value == onnx_TensorShapeProto_Dimension_dim_value_tag ? d.value.dim_value : -1);
            }
    }
    return v;
}

struct Release {  // frees what nanopb allocated, whatever happens after decoding
    onnx_ModelProto* m;
    ~Release() { pb_release(onnx_ModelProto_fields, m); }
};

}  // namespace

int64_t Tensor::size() const {
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d < 0 || (d > 0 && n > kMaxElements / d)) return -1;
        n *= d;
    }
    return n;
}

const Attr* Node::attr(const char* n) const {
    for (const Attr& a : attrs)
        if (a.name == n) return &a;
    return nullptr;
}

Model decode(const uint8_t* bytes, size_t size, const std::string& where) {
    if (size == 0) throw Error(ErrorKind::Format, where, "empty file (0 bytes)");
    if (size > kMaxWeightsBytes)
        throw Error(ErrorKind::Format, where, "larger than the limit of " + with_commas(kMaxWeightsBytes) + " bytes");
    onnx_ModelProto pm{};
    Release release{&pm};
    pb_istream_t in = pb_istream_from_buffer(bytes, size);
    if (!pb_decode(&in, onnx_ModelProto_fields, &pm))
        throw Error(ErrorKind::Format, where,
                    std::string("not a readable ONNX model (protobuf: ") + PB_GET_ERROR(&in) + ")");
    if (!pm.has_graph) throw Error(ErrorKind::Format, where, "not an ONNX model (it has no graph)");
    Model m;
    m.ir_version = pm.has_ir_version ? pm.ir_version : 0;
    for (pb_size_t k = 0; k < pm.opset_import_count; k++) {
        const std::string d = str(pm.opset_import[k].domain);
        if ((d.empty() || d == "ai.onnx") && pm.opset_import[k].has_version) m.opset = pm.opset_import[k].version;
    }
    m.producer = str(pm.producer_name);
    m.producer_version = str(pm.producer_version);
    for (pb_size_t k = 0; k < pm.metadata_props_count; k++)
        m.meta.emplace_back(str(pm.metadata_props[k].key), str(pm.metadata_props[k].value));
    const onnx_GraphProto& g = pm.graph;
    m.graph_name = str(g.name);
    for (pb_size_t k = 0; k < g.initializer_count; k++) m.inits.push_back(tensor_from(g.initializer[k], where));
    for (pb_size_t k = 0; k < g.input_count; k++) m.inputs.push_back(value_from(g.input[k]));
    for (pb_size_t k = 0; k < g.output_count; k++) m.outputs.push_back(value_from(g.output[k]));
    for (pb_size_t k = 0; k < g.node_count; k++) {
        const onnx_NodeProto& pn = g.node[k];
        Node n;
        n.name = str(pn.name);
        n.op = str(pn.op_type);
        n.domain = str(pn.domain);
        for (pb_size_t j = 0; j < pn.input_count; j++) n.in.push_back(str(pn.input[j]));
        for (pb_size_t j = 0; j < pn.output_count; j++) n.out.push_back(str(pn.output[j]));
        for (pb_size_t j = 0; j < pn.attribute_count; j++) {
            const onnx_AttributeProto& pa = pn.attribute[j];
            Attr a;
            a.name = str(pa.name);
            a.type = pa.has_type ? enum_value(pa.type) : 0;
            a.f = pa.f;
            a.i = pa.i;
            if (pa.s) a.s.assign(reinterpret_cast<const char*>(pa.s->bytes), pa.s->size);
            if (pa.has_t) a.t = tensor_from(pa.t, where);
            a.floats.assign(pa.floats, pa.floats + pa.floats_count);
            a.ints.assign(pa.ints, pa.ints + pa.ints_count);
            n.attrs.push_back(std::move(a));
        }
        m.nodes.push_back(std::move(n));
    }
    return m;
}

// ---- encoding ------------------------------------------------------------------------------------
namespace {

// Owns the nanopb structs and buffers that point into a Model while it is encoded.
struct Arena {
    std::deque<std::vector<uint8_t>>             bytes;
    std::deque<std::vector<char*>>               strs;
    std::deque<std::vector<onnx_AttributeProto>> attrs;
    std::deque<std::vector<onnx_TensorShapeProto_Dimension>> dims;
    std::deque<std::string>                      text;

    char* c(const std::string& s) { return const_cast<char*>(s.c_str()); }
    pb_bytes_array_t* raw(const void* data, size_t n) {
        bytes.emplace_back(PB_BYTES_ARRAY_T_ALLOCSIZE(n));
        auto* b = reinterpret_cast<pb_bytes_array_t*>(bytes.back().data());
        b->size = pb_size_t(n);
        if (n) std::memcpy(b->bytes, data, n);
        return b;
    }
    char** list(const std::vector<std::string>& v) {
        strs.emplace_back();
        for (const std::string& s : v) strs.back().push_back(c(s));
        return strs.back().data();
    }
    void tensor(onnx_TensorProto& p, const Tensor& t) {
        p.dims_count = pb_size_t(t.dims.size());
        p.dims = const_cast<int64_t*>(t.dims.data());
        p.has_data_type = true;
        p.data_type = t.type;
        p.name = t.name.empty() ? nullptr : c(t.name);
        p.raw_data = t.type == kFloat ? raw(t.f.data(), t.f.size() * 4) : raw(t.i.data(), t.i.size() * 8);
    }
    void value(onnx_ValueInfoProto& p, const Value& v) {
        p.name = c(v.name);
        p.has_type = true;
        p.type.which_value = onnx_TypeProto_tensor_type_tag;
        onnx_TypeProto_Tensor& tt = p.type.value.tensor_type;
        tt.has_elem_type = true;
        tt.elem_type = v.type;
        tt.has_shape = true;
        dims.emplace_back(v.dims.size());
        for (size_t k = 0; k < v.dims.size(); k++) {
            onnx_TensorShapeProto_Dimension& d = dims.back()[k];
            if (v.dims[k] >= 0) {
                d.which_value = onnx_TensorShapeProto_Dimension_dim_value_tag;
                d.value.dim_value = v.dims[k];
            } else {
                text.push_back("N");
                d.which_value = onnx_TensorShapeProto_Dimension_dim_param_tag;
                d.value.dim_param = c(text.back());
            }
        }
        tt.shape.dim_count = pb_size_t(v.dims.size());
        tt.shape.dim = dims.back().data();
    }
};

}  // namespace

std::vector<uint8_t> encode(const Model& m) {
    Arena a;
    onnx_ModelProto pm{};
    pm.has_ir_version = true;
    pm.ir_version = m.ir_version;
    pm.producer_name = a.c(m.producer);
    pm.producer_version = a.c(m.producer_version);
    onnx_OperatorSetIdProto opset{};
    opset.domain = a.c(a.text.emplace_back());
    opset.has_version = true;
    opset.version = m.opset;
    pm.opset_import_count = 1;
    pm.opset_import = &opset;
    std::vector<onnx_StringStringEntryProto> meta(m.meta.size());
    for (size_t k = 0; k < m.meta.size(); k++) {
        meta[k].key = a.c(m.meta[k].first);
        meta[k].value = a.c(m.meta[k].second);
    }
    pm.metadata_props_count = pb_size_t(meta.size());
    pm.metadata_props = meta.data();
    pm.has_graph = true;
    onnx_GraphProto& g = pm.graph;
    g.name = a.c(m.graph_name);
    std::vector<onnx_TensorProto> inits(m.inits.size());
    for (size_t k = 0; k < inits.size(); k++) a.tensor(inits[k], m.inits[k]);
    g.initializer_count = pb_size_t(inits.size());
    g.initializer = inits.data();
    std::vector<onnx_ValueInfoProto> ins(m.inputs.size()), outs(m.outputs.size());
    for (size_t k = 0; k < ins.size(); k++) a.value(ins[k], m.inputs[k]);
    for (size_t k = 0; k < outs.size(); k++) a.value(outs[k], m.outputs[k]);
    g.input_count = pb_size_t(ins.size());
    g.input = ins.data();
    g.output_count = pb_size_t(outs.size());
    g.output = outs.data();
    std::vector<onnx_NodeProto> nodes(m.nodes.size());
    for (size_t k = 0; k < nodes.size(); k++) {
        const Node& n = m.nodes[k];
        onnx_NodeProto& p = nodes[k];
        p.name = a.c(n.name);
        p.op_type = a.c(n.op);
        p.input_count = pb_size_t(n.in.size());
        p.input = a.list(n.in);
        p.output_count = pb_size_t(n.out.size());
        p.output = a.list(n.out);
        a.attrs.emplace_back(n.attrs.size());
        for (size_t j = 0; j < n.attrs.size(); j++) {
            const Attr& at = n.attrs[j];
            onnx_AttributeProto& pa = a.attrs.back()[j];
            pa.name = a.c(at.name);
            pa.has_type = true;
            pa.type = onnx_AttributeProto_AttributeType(at.type);
            switch (at.type) {
                case onnx_AttributeProto_AttributeType_FLOAT: pa.has_f = true; pa.f = at.f; break;
                case onnx_AttributeProto_AttributeType_INT: pa.has_i = true; pa.i = at.i; break;
                case onnx_AttributeProto_AttributeType_STRING: pa.s = a.raw(at.s.data(), at.s.size()); break;
                case onnx_AttributeProto_AttributeType_TENSOR: pa.has_t = true; a.tensor(pa.t, at.t); break;
                case onnx_AttributeProto_AttributeType_INTS:
                    pa.ints_count = pb_size_t(at.ints.size());
                    pa.ints = const_cast<int64_t*>(at.ints.data());
                    break;
                default: break;
            }
        }
        p.attribute_count = pb_size_t(n.attrs.size());
        p.attribute = a.attrs.back().data();
    }
    g.node_count = pb_size_t(nodes.size());
    g.node = nodes.data();

    size_t size = 0;
    if (!pb_get_encoded_size(&size, onnx_ModelProto_fields, &pm))
        throw Error(ErrorKind::Value, "onnx", "cannot encode the model");
    std::vector<uint8_t> out(size);
    pb_ostream_t os = pb_ostream_from_buffer(out.data(), size);
    if (!pb_encode(&os, onnx_ModelProto_fields, &pm))
        throw Error(ErrorKind::Value, "onnx", std::string("cannot encode the model: ") + PB_GET_ERROR(&os));
    return out;
}

}  // namespace onnx
}  // namespace lenet
