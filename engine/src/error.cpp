// error.cpp — lenet::Error, with_commas and the enum-to-name helpers shared by every part of the
// engine.
#include "lenet/lenet.h"

namespace lenet {

const char* error_kind_name(ErrorKind k) {
    switch (k) {
        case ErrorKind::Io:     return "io";
        case ErrorKind::Format: return "format";
        case ErrorKind::Spec:   return "spec";
        case ErrorKind::Shape:  return "shape";
        case ErrorKind::Value:  return "value";
        case ErrorKind::Usage:  return "usage";
    }
    return "?";
}

Error::Error(ErrorKind kind, const std::string& where, const std::string& message)
    : std::runtime_error(where.empty() ? message : where + ": " + message),
      kind_(kind), where_(where), message_(message) {}

std::string with_commas(uint64_t v) {
    const std::string digits = std::to_string(v);
    std::string out;
    for (size_t i = 0; i < digits.size(); i++) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string shape_str(const Shape& s) {
    if (s.h == 1 && s.w == 1) return std::to_string(s.c);
    return std::to_string(s.c) + "@" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

const char* layer_type_name(LayerType t) {
    switch (t) {
        case LayerType::Conv: return "conv";
        case LayerType::Pool: return "pool";
        case LayerType::Full: return "full";
        case LayerType::Rbf:  return "rbf";
    }
    return "?";
}

const char* pool_mode_name(PoolMode m) {
    switch (m) {
        case PoolMode::Avg:       return "avg";
        case PoolMode::Max:       return "max";
        case PoolMode::Subsample: return "subsample";
    }
    return "?";
}

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::None:       return "none";
        case Activation::ScaledTanh: return "scaled_tanh";
        case Activation::Tanh:       return "tanh";
        case Activation::Sigmoid:    return "sigmoid";
        case Activation::Relu:       return "relu";
    }
    return "?";
}

const char* loss_name(LossKind l) {
    switch (l) {
        case LossKind::Mse:  return "mse";
        case LossKind::Map:  return "map";
        case LossKind::Xent: return "xent";
    }
    return "?";
}

const char* input_norm_name(InputNorm n) {
    switch (n) {
        case InputNorm::Paper: return "paper";
        case InputNorm::Unit:  return "unit";
    }
    return "?";
}

const char* init_name(InitKind k) {
    switch (k) {
        case InitKind::Pytorch: return "pytorch";
        case InitKind::Lecun98: return "lecun98";
    }
    return "?";
}

}  // namespace lenet
