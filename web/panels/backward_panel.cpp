// web/panels/backward_panel.cpp — the training steps after OUTPUT (app_backward.h). The middle column:
// LOSS with its formula and this digit's numbers; a backward step's dE/d(output) maps on a diverging
// scale laid out as the forward maps; UPDATE with the loss before and after. The Weights tab: the
// step's dE/dw laid out as the weights view (C3 as Table I), dE/db, and the update each weight will
// get, with the SDLM h_kk as a histogram.
#include "app.h"
#include "wrapped.h"
#include "backward_steps.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

namespace {

float max_abs(const float* v, size_t n) {
    float m = 1e-12f;
    for (size_t k = 0; k < n; ++k) m = std::max(m, std::fabs(v[k]));
    return m;
}

// The loss formula of the network's criterion with this digit's numbers, and per class the output,
// (the probability, for a softmax) and dE/d(output): what OUTPUT' starts from.
void loss_step(AppState& app) {
    const BackwardView& b = app.backward;
    const lenet::Network& net = *app.net;
    const int last = int(net.layers().size()) - 1, n = int(net.output_shape().size()), t = b.label;
    const float* y = b.ws->out(last);
    const float* g = b.ws->grad_out(last);
    const bool rbf = net.spec().layers.back().type == lenet::LayerType::Rbf;
    ImGui::TextColored(theme::kLayerName, "LOSS");
    ImGui::SameLine();
    ImGui::Text("of this digit: label %s, predicted %s", class_name(app, t).c_str(), class_name(app, b.prediction).c_str());
    std::vector<float> p(size_t(n), 0.0f);
    const char* out_name = rbf ? "y_k (RBF distance)" : "z_k (output)";
    switch (net.spec().loss) {
        case lenet::LossKind::Xent: {
            const double sgn = rbf ? -1.0 : 1.0;  // an RBF output's logits are -y
            double m = -DBL_MAX, z = 0;
            for (int k = 0; k < n; ++k) m = std::max(m, sgn * y[k]);
            for (int k = 0; k < n; ++k) z += std::exp(sgn * y[k] - m);
            for (int k = 0; k < n; ++k) p[size_t(k)] = float(std::exp(sgn * y[k] - m) / z);
            text_wrapped("Softmax cross-entropy: p_k = e^z_k / sum_i e^z_i, E = -log p_label = log sum_i e^z_i - z_label%s",
                         rbf ? ", with z_k = -y_k" : "");
            ImGui::Text("E = %.4f - (%.4f) = %.4f", m + std::log(z), sgn * y[t], double(b.loss));
            break;
        }
        case lenet::LossKind::Mse:
            if (rbf) {
                text_wrapped("Mean squared error of the RBF outputs (paper eq. 8): E = y_label, the squared distance "
                             "of F6's output to the prototype of the right class; dE/dy_k = 1 for the label, else 0.");
                ImGui::Text("E = y_%d = %.4f", t, double(b.loss));
            } else {
                text_wrapped("Mean squared error: E = 1/2 sum_k (y_k - t_k)^2 with t_k = 1 for the label, else the low "
                             "target; dE/dy_k = y_k - t_k.");
                ImGui::Text("E = %.4f", double(b.loss));
            }
            break;
        case lenet::LossKind::Map: {
            const double j = net.spec().map_j;
            double z = std::exp(-j);
            for (int k = 0; k < n; ++k) z += std::exp(-double(y[k]));
            text_wrapped("The paper's MAP criterion (eq. 9): E = y_label + log(e^-j + sum_i e^-y_i), j = %.2f: "
                         "pull the right class's distance down and push the others up.", j);
            ImGui::Text("E = %.4f + log(%.4g) = %.4f", double(y[t]), z, double(b.loss));
            break;
        }
    }
    ImGui::TextDisabled("The engine's E = %.6f. Next (Right): the gradient flows back, layer by layer.", double(b.loss));
    const bool probs = net.spec().loss == lenet::LossKind::Xent;
    if (ImGui::BeginTable("##loss", probs ? 4 : 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("class");
        ImGui::TableSetupColumn(out_name);
        if (probs) ImGui::TableSetupColumn("p_k");
        ImGui::TableSetupColumn("dE/d(output)");
        ImGui::TableHeadersRow();
        for (int k = 0; k < n; ++k) {
            ImGui::TableNextRow();
            if (k == t) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(theme::kRowCurrent));
            ImGui::TableNextColumn();
            ImGui::Text("%s%s", class_name(app, k).c_str(), k == t ? " (label)" : "");
            ImGui::TableNextColumn();
            ImGui::Text("%.4f", double(y[k]));
            if (probs) {
                ImGui::TableNextColumn();
                ImGui::Text("%.4f", double(p[size_t(k)]));
            }
            ImGui::TableNextColumn();
            ImGui::Text("%+.4f", double(g[k]));
        }
        ImGui::EndTable();
    }
}

// A backward step: what flows through the layer, and dE/d(output) as maps.
void layer_step(AppState& app, int layer) {
    const BackwardView& b = app.backward;
    const lenet::Network& net = *app.net;
    const lenet::LayerInfo& L = net.layers()[size_t(layer)];
    const std::string name = L.name + "'";
    ImGui::TextColored(theme::kLayerName, "%s", name.c_str());
    ImGui::SameLine();
    ImGui::Text("backward through %s (%s), %s -> %s", L.name.c_str(), lenet::layer_type_name(L.type), lenet::shape_str(L.in).c_str(),
                lenet::shape_str(L.out).c_str());
    const std::string from = layer + 1 < int(net.layers().size()) ? net.layers()[size_t(layer) + 1].name + "'" : "LOSS";
    const std::string to = layer > 0 ? net.layers()[size_t(layer) - 1].name + "'" : "the input";
    text_wrapped("dE/d(output of %s) arrives from %s. Through the activation: dE/da = f'(a) x dE/d(output). "
                 "Then dE/dw = sum of (input x dE/da) over the units a weight feeds, dE/db = sum of dE/da, and "
                 "dE/d(input) = sum of (w x dE/da), which goes on to %s.",
                 L.name.c_str(), from.c_str(), to.c_str());
    const float* d = b.ws->grad_out(layer);
    const size_t n = size_t(L.out.size());
    const float m = max_abs(d, n);
    ColorScale s{ColorMode::Diverging, -m, m};
    ImGui::Text("dE/d(output of %s): %s, largest |value| %.3g", L.name.c_str(), lenet::shape_str(L.out).c_str(), double(m));
    draw_legend(app, s, std::min(260.0f, ImGui::GetContentRegionAvail().x));
    ImGui::TextDisabled("blue = negative (raising the output lowers E), white = 0, red = positive");
    draw_value_maps(app, b.d_out, L.out, s, "dE/d(output)", false, &app.btrace.rects);
}

void update_step(AppState& app) {
    BackwardView& b = app.backward;
    ImGui::TextColored(theme::kLayerName, "UPDATE");
    ImGui::SameLine();
    ImGui::Text("every weight takes one %s step against its gradient", b.sdlm ? "SDLM" : "SGD");
    if (b.sdlm)
        text_wrapped("w <- w - eta / (mu + h_kk) x dE/dw, eta = %.5g, mu = %.3g; h_kk from %s.", double(b.eta), double(b.mu),
                     b.hdiag_from.c_str());
    else
        text_wrapped("w <- w - eta x dE/dw, eta = %.5g (the Train tab's optimiser and eta).", double(b.eta));
    if (!b.updated) return;
    const bool better = b.loss_after < b.loss_before;
    ImGui::Text("This digit's loss: %.5f before,", double(b.loss_before));
    ImGui::SameLine();
    ImGui::TextColored(better ? theme::kGood : theme::kBad, "%.5f after (%+.2f%%)", double(b.loss_after),
                       100.0 * (double(b.loss_after) - b.loss_before) / std::max(1e-12, double(b.loss_before)));
    ImGui::Text("Prediction: %s before, %s after; label %s.", class_name(app, b.prediction_before).c_str(),
                class_name(app, b.prediction_after).c_str(), class_name(app, b.label).c_str());
    ImGui::Text("%s update%s taken in these steps. The kernels and maps of every view show the new weights.",
                fmt_int(b.updates).c_str(), b.updates == 1 ? "" : "s");
    if (ImGui::Button("Another training step on this digit (LOSS)")) set_backward_step(app, 0);
}

void histogram(const char* id, const lenet_web::LogHistogram& h, const char* what) {
    if (h.total == 0) return;
    std::vector<float> c(h.counts.begin(), h.counts.end());
    ImGui::PlotHistogram(id, c.data(), int(c.size()), 0, what, 0.0f, FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, 70));
    ImGui::TextDisabled("10^%.1f .. 10^%.1f; %d of %d are 0", h.lo, h.hi, h.zeros, h.total);
}

}  // namespace

void draw_backward_panel(AppState& app) {
    const BackwardView& b = app.backward;
    if (!b.ws || b.version < 0) {
        ImGui::TextDisabled("Computing the gradients...");
        return;
    }
    const int layer = lenet_web::train_step_layer(*app.net, b.step);
    if (b.step == 0) loss_step(app);
    else if (layer >= 0) layer_step(app, layer);
    else update_step(app);
}

void draw_backward_weights_panel(AppState& app) {
    BackwardView& b = app.backward;
    const int layer = lenet_web::train_step_layer(*app.net, b.step);
    if (layer < 0 || !b.ws || b.version < 0) {
        text_wrapped(b.step == 0 ? "The loss has no weights. Step on (Right) to see each layer's gradients."
                                       : "The update changed the weights: the Weights tab of each forward step shows them.");
        return;
    }
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    const lenet::LayerGradients g = layer_gradient(app, layer);
    if (g.d_weight.count == 0) {
        text_wrapped("%s has no trainable parameters: the gradient only passes through it to the layer before.", L.name.c_str());
        return;
    }
    if (L.type == lenet::LayerType::Pool) {  // subsampling: one coefficient and one bias per map
        text_wrapped("dE/d(coefficient) and dE/d(bias) of each map, and the update each gets.");
        if (ImGui::BeginTable("##subgrad", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
            for (const char* h : {"map", "dE/dcoeff", "dE/db", "delta coeff", "delta b"}) ImGui::TableSetupColumn(h);
            ImGui::TableHeadersRow();
            for (int c = 0; c < L.out.c; ++c) {
                ImGui::TableNextRow();
                const size_t kw = L.weight_offset + size_t(c), kb = L.bias_offset + size_t(c);
                const double v[5] = {double(c), g.d_weight.data[c], g.d_bias.data[c], -double(b.steps[kw]) * b.grad[kw],
                                     -double(b.steps[kb]) * b.grad[kb]};
                for (int k = 0; k < 5; ++k) {
                    ImGui::TableNextColumn();
                    if (k == 0) ImGui::Text("%d", c);
                    else ImGui::Text("%+.3e", v[k]);
                }
            }
            ImGui::EndTable();
        }
    } else {
        draw_weight_tensor(app, layer, b.d_weight, g.d_bias.data, "dE/dw", "dE/db");
    }
    // The update of this layer's parameters.
    ImGui::Separator();
    const size_t lo = std::min(L.weight_offset, L.bias_offset), hi = std::max(L.weight_offset + L.weight_count, L.bias_offset + L.bias_count);
    const std::vector<uint8_t> mask = app.net->trainable_mask();
    double dmax = 0, dsum = 0;
    int count = 0;
    for (size_t k = lo; k < hi; ++k) {
        if (!mask[k]) continue;
        const double d = double(b.steps[k]) * b.grad[k];
        dmax = std::max(dmax, std::fabs(d));
        dsum += std::fabs(d);
        ++count;
    }
    if (b.sdlm) {
        text_wrapped("UPDATE will move each parameter by delta w = -eta / (mu + h_kk) x dE/dw (SDLM, paper Appendix C), "
                     "eta = %.5g, mu = %.3g. h_kk, the Gauss-Newton second derivative, comes from %s.",
                     double(b.eta), double(b.mu), b.hdiag_from.c_str());
        histogram("##hkk", lenet_web::log_histogram(b.hdiag.data() + lo, mask.data() + lo, hi - lo, 24), "h_kk (log axis)");
        float smin = FLT_MAX, smax = 0;
        for (size_t k = lo; k < hi; ++k)
            if (mask[k]) smin = std::min(smin, b.steps[k]), smax = std::max(smax, b.steps[k]);
        ImGui::Text("step sizes eta / (mu + h_kk): %.3g .. %.3g", double(smin), double(smax));
    } else {
        text_wrapped("UPDATE will move each parameter by delta w = -eta x dE/dw (SGD), eta = %.5g.", double(b.eta));
    }
    text_wrapped("|delta w| over the %d parameters: largest %.3g, mean %.3g", count, dmax, count ? dsum / count : 0.0);
}
