// load_network.cpp — loading a weights file for a command, with the --input-norm override.
#include "commands.h"

#include <lenet/lenet.h>

#include <string>

lenet::Network load_network(const std::string& weights, const std::string& arch, const std::string& input_norm) {
    lenet::InputNorm norm = lenet::InputNorm::Unit;
    if (input_norm == "paper") norm = lenet::InputNorm::Paper;
    else if (input_norm != "unit" && !input_norm.empty())
        throw lenet::Error(lenet::ErrorKind::Usage, "--input-norm",
                           "expected paper (background -0.1, ink 1.175) or unit (pixel/255), got '" + input_norm + "'");
    lenet::Network net = lenet::load_any_weights(weights, arch);
    if (!input_norm.empty()) net.set_input_norm(norm);
    return net;
}

void add_input_norm_option(CLI::App* c, std::string& input_norm) {
    c->add_option("--input-norm", input_norm,
                  "How pixels are scaled for the network, overriding the file's: paper (background -0.1, ink "
                  "1.175, LeCun 1998) or unit (pixel/255; what imported ONNX and PyTorch models expect)");
}
