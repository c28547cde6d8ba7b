// web/panels/layer_panel.cpp — what the current layer is: type and formula, input and output
// shapes, and its trainable parameters, connections and MACs with the arithmetic written out
// (e.g. 6 x (5x5 + 1) x 28 x 28 = 122,304), the backward pass's MACs (dE/d(input) and dE/dw), plus
// running totals that end at the paper's 60,000 parameters and 340,908 connections for lenet5-1998
// (Section II.B), and what a training step costs against a forward pass. Also the summary table.
//
// Each formula below is evaluated here from the layer's sizes and compared with the engine's own
// count (LayerInfo): a mismatch would be shown in red, so the text can never silently disagree.
#include "app.h"
#include "wrapped.h"

#include <cstdio>
#include <map>
#include <string>

namespace {

struct Count {
    std::string text;   // the arithmetic
    long long   value;  // what the arithmetic gives
};

std::string s(long long v) { return fmt_int(v); }
std::string kk(int k) { return std::to_string(k) + "x" + std::to_string(k); }

// "6x3 + 9x4 + 1x6" for the inputs per output map of a connection table (C3: Table I).
std::string table_groups(const lenet::LayerSpec& S, const lenet::LayerInfo& L, long long& total_inputs) {
    std::map<int, int> groups;  // inputs per map -> number of maps
    total_inputs = 0;
    for (int o = 0; o < L.out.c; ++o) {
        int n = 0;
        for (int i = 0; i < L.in.c; ++i) n += S.table[size_t(i) * L.out.c + o];
        groups[n]++;
        total_inputs += n;
    }
    std::string t;
    for (const auto& g : groups) t += (t.empty() ? "" : " + ") + std::to_string(g.second) + "x" + std::to_string(g.first);
    return t;
}

void counts(const AppState& app, int layer, Count& params, Count& conns, Count& macs) {
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(layer)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    const long long O = L.out.c, I = L.in.c, H = L.out.h, W = L.out.w, K = S.kernel;
    const std::string hw = " x " + std::to_string(H) + " x " + std::to_string(W);
    switch (S.type) {
        case lenet::LayerType::Conv:
            if (S.table.empty()) {
                const std::string per = (I == 1 ? kk(int(K)) : std::to_string(I) + " x " + kk(int(K)));
                params = {s(O) + " x (" + per + " + 1)", O * (I * K * K + 1)};
                conns = {s(O) + " x (" + per + " + 1)" + hw, O * (I * K * K + 1) * H * W};
                macs = {s(O) + " x " + per + hw, O * I * K * K * H * W};
            } else {
                long long n = 0;
                const std::string g = table_groups(S, L, n);
                params = {"(" + g + ") x " + kk(int(K)) + " + " + s(O) + " biases = " + s(n) + " x " + kk(int(K)) + " + " + s(O),
                          n * K * K + O};
                conns = {"(" + s(n) + " x " + kk(int(K)) + " + " + s(O) + ")" + hw, (n * K * K + O) * H * W};
                macs = {s(n) + " x " + kk(int(K)) + hw, n * K * K * H * W};
            }
            break;
        case lenet::LayerType::Pool:
            if (S.pool == lenet::PoolMode::Subsample) {
                params = {"2 x " + s(O) + " (a coefficient and a bias per map)", 2 * O};
                conns = {s(O) + " x (" + kk(int(K)) + " + 1)" + hw, O * (K * K + 1) * H * W};
                macs = {s(O) + hw + " (one multiply by the coefficient per unit)", O * H * W};
            } else {
                params = {"0 (no trainable parameters)", 0};
                conns = {s(O) + " x " + kk(int(K)) + hw, O * K * K * H * W};
                macs = {"0 (no multiplications)", 0};
            }
            break;
        case lenet::LayerType::Full: {
            const long long In = L.in.size();
            params = {"(" + s(In) + " + 1) x " + s(O), (In + 1) * O};
            conns = {"(" + s(In) + " + 1) x " + s(O), (In + 1) * O};
            macs = {s(In) + " x " + s(O), In * O};
            break;
        }
        case lenet::LayerType::Rbf: {
            const long long In = L.in.size();
            params = {"0 (the prototypes are fixed, not trained)", 0};
            conns = {s(In) + " x " + s(O), In * O};
            macs = {s(In) + " x " + s(O) + " (a squared difference each)", In * O};
            break;
        }
    }
}

// The backward pass's MACs from the forward MACs `m`: each forward multiply has one partner in
// dE/d(input) (its weight times the unit's delta) and, when the weight is trained, one in dE/dw (its
// input times the delta).
void backward_counts(const lenet::LayerSpec& S, const Count& m, Count& gin, Count& gw) {
    if (m.value == 0) {
        gin = gw = {"0 (the gradient is passed on: no multiplications)", 0};
        return;
    }
    gin = {m.text + ": a weight x a delta per forward MAC", m.value};
    gw = S.type == lenet::LayerType::Rbf ? Count{"0 (the prototypes are fixed)", 0}
                                         : Count{m.text + ": an input x a delta per forward MAC", m.value};
}

const char* activation_text(lenet::Activation a) {
    switch (a) {
        case lenet::Activation::ScaledTanh: return "f(a) = 1.7159 tanh(2a/3)  (Appendix A: f(+-1) = +-1)";
        case lenet::Activation::Tanh: return "f(a) = tanh(a)";
        case lenet::Activation::Sigmoid: return "f(a) = 1 / (1 + e^-a)";
        case lenet::Activation::Relu: return "f(a) = max(0, a)";
        case lenet::Activation::None: return "none: out = a";
    }
    return "";
}

std::string formula(const lenet::LayerSpec& S, const lenet::LayerInfo& L) {
    const std::string k = std::to_string(S.kernel);
    switch (S.type) {
        case lenet::LayerType::Conv:
            return std::string("a[o,y,x] = b[o] + sum over ") +
                   (S.table.empty() ? "all input maps i" : "the input maps i of Table I") + ", ky,kx < " + k +
                   " of w[o,i,ky,kx] * in[i, y" + (S.stride > 1 ? "*" + std::to_string(S.stride) : "") + "+ky, x" +
                   (S.stride > 1 ? "*" + std::to_string(S.stride) : "") + "+kx]";
        case lenet::LayerType::Pool:
            if (S.pool == lenet::PoolMode::Subsample)
                return "a[c,y,x] = coeff[c] * (sum of the " + k + "x" + k + " inputs in[c, " + std::to_string(S.stride) +
                       "y+dy, " + std::to_string(S.stride) + "x+dx]) + b[c]";
            if (S.pool == lenet::PoolMode::Max) return "a[c,y,x] = max of the " + k + "x" + k + " window";
            return "a[c,y,x] = mean of the " + k + "x" + k + " window";
        case lenet::LayerType::Full:
            return "a[j] = b[j] + sum over i < " + std::to_string(L.in.size()) + " of w[j,i] * in[i]";
        case lenet::LayerType::Rbf:
            return "y[i] = sum over j < " + std::to_string(L.in.size()) +
                   " of (in[j] - w[i,j])^2, w = the fixed 7x12 bitmap of class i (+1/-1)";
    }
    return "";
}

std::string title(const lenet::LayerSpec& S, const lenet::LayerInfo& L) {
    switch (S.type) {
        case lenet::LayerType::Conv:
            return "convolution: " + std::to_string(L.out.c) + " maps, " + kk(S.kernel) + " kernels" +
                   (S.table.empty() ? "" : ", connections of Table I");
        case lenet::LayerType::Pool:
            return std::string(S.pool == lenet::PoolMode::Subsample ? "subsampling (trainable)" :
                               S.pool == lenet::PoolMode::Max ? "max pooling" : "average pooling") +
                   ", " + kk(S.kernel) + " windows, stride " + std::to_string(S.stride);
        case lenet::LayerType::Full: return "fully connected: " + std::to_string(L.out.c) + " units";
        case lenet::LayerType::Rbf: return "Euclidean RBF output: " + std::to_string(L.out.c) + " units (eq. 7)";
    }
    return "";
}

void count_line(const char* what, const Count& c, long long engine) {
    ImGui::Text("%-12s", what);
    ImGui::SameLine();
    if (c.value == engine) {
        text_wrapped("%s = %s", c.text.c_str(), fmt_int(engine).c_str());
    } else {
        ImGui::TextColored(theme::kBad, "%s = %s, but the engine counts %s", c.text.c_str(),
                           fmt_int(c.value).c_str(), fmt_int(engine).c_str());
    }
}

}  // namespace

void draw_layer_panel(AppState& app) {
    const int v = app.view;
    if (v == 0) {
        const lenet::Shape in = app.net->input_shape();
        ImGui::TextColored(theme::kLayerName, "INPUT");
        ImGui::SameLine();
        ImGui::Text("%s image", lenet::shape_str(in).c_str());
        if (app.net->spec().norm == lenet::InputNorm::Paper)
            text_wrapped("The 28x28 digit centred in a %dx%d field, so strokes can reach the centre of the first "
                         "layer's receptive fields near the border. Background -0.1, ink 1.175: mean about 0, "
                         "variance about 1 (Section II.B).", in.h, in.w);
        else
            text_wrapped("The 28x28 digit%s, pixels scaled to [0, 1].",
                         in.h == 28 && in.w == 28 ? "" : (" padded to " + std::to_string(in.h) + "x" + std::to_string(in.w)).c_str());
        ImGui::Text("No parameters. Press Right (or Next) to run %s.", app.net->layers().front().name.c_str());
        text_wrapped_disabled("%s: %s", app.net->spec().name.c_str(), app.net->spec().description.c_str());
        return;
    }
    const int li = v - 1;
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(li)];
    const lenet::LayerInfo& L = app.net->layers()[size_t(li)];
    ImGui::TextColored(theme::kLayerName, "%s", L.name.c_str());
    ImGui::SameLine();
    ImGui::TextUnformatted(title(S, L).c_str());
    ImGui::Text("in %s  ->  out %s", lenet::shape_str(L.in).c_str(), lenet::shape_str(L.out).c_str());
    text_wrapped_disabled("%s", formula(S, L).c_str());
    if (S.type != lenet::LayerType::Rbf) text_wrapped_disabled("out = f(a), %s", activation_text(L.activation));
    Count p, c, m;
    counts(app, li, p, c, m);
    count_line("parameters", p, L.params);
    count_line("connections", c, L.connections);
    count_line("MACs", m, L.macs);
    Count gin, gw;
    backward_counts(S, m, gin, gw);
    count_line("dE/din MACs", gin, L.grad_input_macs);
    count_line("dE/dw MACs", gw, L.grad_weight_macs);
    // Running totals up to this layer.
    long long tp = 0, tc = 0, tm = 0;
    for (int i = 0; i <= li; ++i) {
        tp += app.net->layers()[size_t(i)].params;
        tc += app.net->layers()[size_t(i)].connections;
        tm += app.net->layers()[size_t(i)].macs;
    }
    const lenet::Totals t = app.net->totals();
    text_wrapped("running totals: %s of %s parameters, %s of %s connections, %s of %s MACs", fmt_int(tp).c_str(),
                fmt_int(t.params).c_str(), fmt_int(tc).c_str(), fmt_int(t.connections).c_str(), fmt_int(tm).c_str(),
                fmt_int(t.macs).c_str());
    ImGui::ProgressBar(t.connections ? float(double(tc) / double(t.connections)) : 0.0f, ImVec2(-1, 4), "");
    const long long step = t.macs + t.grad_input_macs + t.grad_weight_macs;
    text_wrapped("a training step: forward %s + dE/din %s + dE/dw %s = %s MACs, %.1fx a forward pass",
                 fmt_int(t.macs).c_str(), fmt_int(t.grad_input_macs).c_str(), fmt_int(t.grad_weight_macs).c_str(),
                 fmt_int(step).c_str(), t.macs ? double(step) / double(t.macs) : 0.0);
    text_wrapped_disabled("connections count every weight use and every bias per output unit, as the paper does; MACs exclude biases");
}

void draw_summary_panel(AppState& app) {
    ImGui::SetNextWindowSize(ImVec2(1040, 360), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowPos(ImVec2(60, 120), ImGuiCond_FirstUseEver);
    if (ImGui::Begin("Network summary", &app.show_summary)) {
        ImGui::Text("%s: %s", app.net->spec().name.c_str(), app.net->spec().description.c_str());
        const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
        if (ImGui::BeginTable("summary", 10, flags)) {
            const char* heads[10] = {"Layer", "Type", "Kernel", "Activation", "Output", "Params", "Connections", "MACs",
                                     "dE/din MACs", "dE/dw MACs"};
            for (const char* h : heads) ImGui::TableSetupColumn(h);
            ImGui::TableHeadersRow();
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted("INPUT");
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(lenet::input_norm_name(app.net->spec().norm));
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(lenet::shape_str(app.net->input_shape()).c_str());
            for (int k = 0; k < 5; ++k) {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted("0");
            }
            for (size_t i = 0; i < app.net->layers().size(); ++i) {
                const lenet::LayerInfo& L = app.net->layers()[i];
                const lenet::LayerSpec& S = app.net->spec().layers[i];
                ImGui::TableNextRow();
                if (int(i) + 1 == app.view) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(theme::kRowCurrent));
                ImGui::TableNextColumn();
                if (ImGui::Selectable(L.name.c_str(), int(i) + 1 == app.view, ImGuiSelectableFlags_SpanAllColumns))
                    set_view(app, int(i) + 1);
                ImGui::TableNextColumn();
                ImGui::Text("%s%s%s", lenet::layer_type_name(L.type), S.type == lenet::LayerType::Pool ? " " : "",
                            S.type == lenet::LayerType::Pool ? lenet::pool_mode_name(S.pool) : "");
                ImGui::TableNextColumn();
                if (S.kernel) ImGui::Text("%dx%d /%d", S.kernel, S.kernel, S.stride);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(lenet::activation_name(L.activation));
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(lenet::shape_str(L.out).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(fmt_int(L.params).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(fmt_int(L.connections).c_str());
                for (long long v : {L.macs, L.grad_input_macs, L.grad_weight_macs}) {
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(fmt_int(v).c_str());
                }
            }
            const lenet::Totals t = app.net->totals();
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted("Total");
            for (int k = 0; k < 4; ++k) ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(fmt_int(t.params).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(fmt_int(t.connections).c_str());
            for (long long v : {t.macs, t.grad_input_macs, t.grad_weight_macs}) {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(fmt_int(v).c_str());
            }
            ImGui::EndTable();
        }
        const size_t bytes = app.net->params().size() * sizeof(float);
        ImGui::Text("Weights in memory: %s floats (%s bytes; C3's absent Table I connections are stored as zeros)",
                    fmt_int(static_cast<long long>(app.net->params().size())).c_str(), fmt_int(static_cast<long long>(bytes)).c_str());
    }
    ImGui::End();
}
