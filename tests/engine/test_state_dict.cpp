// test_state_dict.cpp — .npz state_dicts with any key names (src/state_dict.cpp): ours by name,
// PyTorch's by order and shape, the preset chosen when no architecture is given, and every way a
// file can fail to fit (ambiguous, no match, wrong shape, too few or too many tensors).
#include "io_fixtures.h"

#include <cmath>
#include <cstring>

using lenet::ErrorKind;
using lenet::Network;
using lenet::NpyTensor;

namespace {

// The state_dict of a PyTorch nn.Sequential LeNet (Conv, act, pool, Conv, act, pool, Flatten,
// Linear 400->120, act, Linear, act, Linear), with its own keys, from our network's tensors in order.
std::vector<NpyTensor> torch_sequential(const Network& net) {
    const char* keys[] = {"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias",
                          "11.weight", "11.bias"};
    std::vector<NpyTensor> ours = lenet::get_tensors(net), out;
    for (size_t i = 0; i < ours.size(); i++) {
        NpyTensor t = ours[i];
        t.name = keys[i];
        if (t.shape.size() == 4 && t.shape[0] == 120) t.shape = {120, 400};  // C5 as Linear(400, 120)
        out.push_back(t);
    }
    return out;
}

// The modern LeNet written as PyTorch writes it: C5 a Linear layer, not a conv.
const char* kLinearC5 = R"({"name": "torch-tanh", "input": [1, 32, 32], "layers": [
  {"name": "conv1", "type": "conv", "maps": 6, "kernel": 5, "activation": "tanh"},
  {"name": "pool1", "type": "pool", "mode": "avg", "size": 2},
  {"name": "conv2", "type": "conv", "maps": 16, "kernel": 5, "activation": "tanh"},
  {"name": "pool2", "type": "pool", "mode": "avg", "size": 2},
  {"name": "fc1", "type": "full", "units": 120, "activation": "tanh"},
  {"name": "fc2", "type": "full", "units": 84, "activation": "tanh"},
  {"name": "fc3", "type": "full", "units": 10}]})";

std::vector<float> outputs(const Network& net) {
    lenet::Workspace ws(net);
    std::vector<float> x(size_t(net.input_shape().size()));
    for (size_t i = 0; i < x.size(); i++) x[i] = float((i * 37) % 101) / 100.0f;
    return net.predict(ws, x.data()).scores;
}

std::vector<NpyTensor> renamed(std::vector<NpyTensor> ts, const std::string& prefix) {
    for (size_t i = 0; i < ts.size(); i++) ts[i].name = prefix + std::to_string(i);
    return ts;
}

}  // namespace

TEST_SUITE("state_dict") {

TEST_CASE("state_dict: PyTorch names load by order and shape, C5 as a Linear, the same network as a full layer") {
    Network src(lenet::arch_preset("lenet5"));
    src.init(3);
    const std::vector<NpyTensor> sd = torch_sequential(src);
    Network a = lenet::network_from_state_dict(sd, "lenet5", "t.npz");
    CHECK(a.spec().name == "lenet5");
    CHECK(a.params() == src.params());
    // The same file into a spec whose C5 is a full layer: the same weights, the same outputs.
    fixtures::TempDir dir;
    const std::string spec = dir.write("torch-tanh.json", fixtures::Bytes(kLinearC5, kLinearC5 + std::strlen(kLinearC5)));
    Network b = lenet::network_from_state_dict(sd, spec, "t.npz");
    CHECK(b.params() == src.params());
    const std::vector<float> ya = outputs(a), yb = outputs(b);
    REQUIRE(ya.size() == yb.size());
    for (size_t i = 0; i < ya.size(); i++) CHECK(ya[i] == doctest::Approx(yb[i]).epsilon(1e-6));
    // And the reverse: our 4-D C5.weight into the full layer fc1.
    Network c = lenet::network_from_state_dict(lenet::get_tensors(src), spec, "ours.npz");
    CHECK(c.params() == src.params());
}

TEST_CASE("state_dict: through load_any_weights, with and without --arch") {
    fixtures::TempDir dir;
    Network paper(lenet::arch_preset("lenet5-1998"));
    paper.init(4);
    // Our own names, no arch: the one preset whose names and shapes fit.
    const std::string own = dir.write("paper.npz", lenet::npz_write(lenet::get_tensors(paper)));
    Network back = lenet::load_any_weights(own, "");
    CHECK(back.spec().name == "lenet5-1998");
    CHECK(back.params() == paper.params());
    CHECK(back.fixed() == paper.fixed());
    // Foreign names, in order, the fixed prototypes left out: still only lenet5-1998 fits.
    std::vector<NpyTensor> foreign = renamed(lenet::get_tensors(paper), "p");
    foreign.pop_back();
    const std::string f = dir.write("foreign.npz", lenet::npz_write(foreign));
    Network back2 = lenet::load_any_weights(f, "");
    CHECK(back2.spec().name == "lenet5-1998");
    CHECK(back2.params() == paper.params());
    CHECK(back2.fixed() == paper.fixed());
    // A PyTorch file given with --arch.
    Network relu(lenet::arch_preset("lenet5-relu"));
    relu.init(8);
    const std::string t = dir.write("torch.npz", lenet::npz_write(torch_sequential(relu)));
    CHECK(lenet::load_any_weights(t, "lenet5-relu").params() == relu.params());
}

TEST_CASE("state_dict: our own .npz carries its architecture in the zip comment, found without --arch") {
    fixtures::TempDir dir;
    Network relu(lenet::arch_preset("lenet5-relu"));
    relu.init(9);
    const std::string path = dir.file("relu.npz");
    lenet::save_npz(relu, path);
    const fixtures::Bytes bytes = fixtures::read_all(path);
    std::string comment;
    const std::vector<NpyTensor> ts = lenet::npz_read(bytes.data(), bytes.size(), path, &comment);
    CHECK(comment == std::string(lenet::kNpzArchComment) + lenet::arch_to_json(relu.spec()));
    Network back = lenet::load_any_weights(path, "");  // lenet5 has the same shapes: the comment decides
    CHECK(back.spec().name == "lenet5-relu");
    CHECK(back.params() == relu.params());
    CHECK(lenet::load_any_weights(path, "lenet5").spec().name == "lenet5");  // --arch wins over the comment
    // Without the comment (np.savez of the same arrays) the two presets are indistinguishable.
    const std::string bare = dir.write("bare.npz", lenet::npz_write(ts));
    CHECK_LENET_ERROR(lenet::load_any_weights(bare, ""), ErrorKind::Usage, "ambiguous");
    // A broken architecture in the comment is an error naming the file, not a guess.
    const std::string broken = dir.write("broken.npz", lenet::npz_write(ts, std::string(lenet::kNpzArchComment) + "{"));
    CHECK_LENET_ERROR(lenet::load_any_weights(broken, ""), ErrorKind::Spec, "broken.npz");
}

TEST_CASE("state_dict: ambiguous without --arch") {
    Network net(lenet::arch_preset("lenet5"));
    net.init(1);
    CHECK_LENET_ERROR(lenet::network_from_state_dict(torch_sequential(net), "", "t.npz"), ErrorKind::Usage,
                      "t.npz: ambiguous: the tensors fit lenet5 and lenet5-relu");
    CHECK_LENET_ERROR(lenet::network_from_state_dict(lenet::get_tensors(net), "", "ours.npz"), ErrorKind::Usage,
                      "give --arch");
}

TEST_CASE("state_dict: no preset fits: the error names the file and the tensor") {
    // Caffe's LeNet: 20 and 50 maps, 500 hidden units.
    std::vector<NpyTensor> caffe = {{"conv1.weight", {20, 1, 5, 5}, std::vector<float>(500, 0.1f)},
                                    {"conv1.bias", {20}, std::vector<float>(20, 0.0f)}};
    CHECK_LENET_ERROR(lenet::network_from_state_dict(caffe, "", "caffe.npz"), ErrorKind::Shape,
                      "caffe.npz: fits no built-in architecture");
    CHECK_LENET_ERROR(lenet::network_from_state_dict(caffe, "", "caffe.npz"), ErrorKind::Shape,
                      "tensor 1 'conv1.weight' [20,1,5,5] does not fit 'C1.weight' [6,1,5,5]");
    CHECK_LENET_ERROR(lenet::network_from_state_dict({}, "", "empty.npz"), ErrorKind::Shape, "holds no tensors");
}

TEST_CASE("state_dict: wrong shape, too few and too many tensors with --arch; nothing changes on error") {
    Network net(lenet::arch_preset("lenet5"));
    net.init(2);
    const std::vector<float> before = net.params();
    std::vector<NpyTensor> sd = torch_sequential(net);
    std::vector<NpyTensor> bad = sd;
    bad[4].shape = {120, 256};
    bad[4].data.resize(120 * 256);
    CHECK_LENET_ERROR(lenet::set_state_dict(net, bad, "w.npz"), ErrorKind::Shape,
                      "w.npz: tensor 5 '7.weight' [120,256] does not fit 'C5.weight' [120,16,5,5] of 'lenet5'");
    std::vector<NpyTensor> cut(sd.begin(), sd.end() - 1);  // a truncated state_dict: no last bias
    CHECK_LENET_ERROR(lenet::set_state_dict(net, cut, "w.npz"), ErrorKind::Shape,
                      "'lenet5' also needs 'OUTPUT.bias' [10], which the 9 tensors of the file leave out");
    std::vector<NpyTensor> more = sd;
    more.push_back({"extra", {3}, {1, 2, 3}});
    CHECK_LENET_ERROR(lenet::set_state_dict(net, more, "w.npz"), ErrorKind::Shape,
                      "tensor 11 'extra' [3] is one more than 'lenet5' has");
    std::vector<NpyTensor> swapped = sd;
    std::swap(swapped[0], swapped[1]);  // bias before weight: the order is the contract
    CHECK_LENET_ERROR(lenet::set_state_dict(net, swapped, "w.npz"), ErrorKind::Shape,
                      "tensor 1 '0.bias' [6] does not fit 'C1.weight' [6,1,5,5]");
    std::vector<NpyTensor> mixed = sd;
    mixed[0].name = "C1.weight";  // one of our names: the whole file is read by name
    CHECK_LENET_ERROR(lenet::set_state_dict(net, mixed, "w.npz"), ErrorKind::Shape,
                      "tensor 2 '0.bias' [6] is not a tensor of 'lenet5'");
    std::vector<NpyTensor> nan = sd;
    nan[3].data[1] = std::nanf("");
    CHECK_LENET_ERROR(lenet::set_state_dict(net, nan, "w.npz"), ErrorKind::Value, "'C3.bias'[1] is NaN");
    CHECK(net.params() == before);
}

TEST_CASE("state_dict: a Linear fits a conv only when the conv covers its whole input") {
    // C1's weight [6,1,5,5] flattened to [6,25] is not C1 (its output is 28x28, not a vector).
    Network net(lenet::arch_preset("lenet5"));
    std::vector<NpyTensor> sd = torch_sequential(net);
    sd[0].shape = {6, 25};
    CHECK_LENET_ERROR(lenet::set_state_dict(net, sd, "w.npz"), ErrorKind::Shape,
                      "tensor 1 '0.weight' [6,25] does not fit 'C1.weight' [6,1,5,5]");
}

TEST_CASE("state_dict: Network::set_input_norm changes how pixels are scaled, nothing else") {
    Network net(lenet::arch_preset("lenet5"));
    net.init(1);
    std::vector<uint8_t> px(28 * 28, 0);
    px[14 * 28 + 14] = 255;
    std::vector<float> unit(32 * 32), paper(32 * 32);
    lenet::prepare_input(net.spec(), px.data(), 28, 28, unit.data());
    const std::vector<float> params = net.params();
    net.set_input_norm(lenet::InputNorm::Paper);
    CHECK(net.spec().norm == lenet::InputNorm::Paper);
    lenet::prepare_input(net.spec(), px.data(), 28, 28, paper.data());
    CHECK(unit[0] == 0.0f);
    CHECK(paper[0] == doctest::Approx(-0.1f));
    CHECK(unit[16 * 32 + 16] == 1.0f);
    CHECK(paper[16 * 32 + 16] == doctest::Approx(1.175f));
    CHECK(net.params() == params);
}

}  // TEST_SUITE
