// web/app_textures.cpp — the textures the panels draw (AppState::tex), packed from the engine's
// values and uploaded once per frame by refresh_textures, before the panels are laid out (see the
// frame order in app.h). Only what changed since the last upload is sent: the pad when its ink
// changed, the view textures when the input, the weights, the view or pre/post changed, a training
// step's textures when its gradients or the step changed.
#include "app.h"

#include <algorithm>

void upload_maps(Heatmap& tex, const float* d, const lenet::Shape& s, bool image) {
    if (!d) return;
    if (s.h * s.w > 1 || image) {
        heatmap_upload(tex, d, s.w, s.c * s.h);
    } else {
        int cols, rows;
        vector_grid(s.c, cols, rows);
        std::vector<float> grid(size_t(cols) * rows, 0.0f);
        std::copy(d, d + s.c, grid.begin());
        heatmap_upload(tex, grid.data(), cols, rows);
    }
}

void upload_weight_tensor(const AppState& app, Heatmap& tex, int layer, const float* w) {
    const lenet::LayerInfo& L = app.net->layers()[size_t(layer)];
    const lenet::LayerSpec& S = app.net->spec().layers[size_t(layer)];
    if (L.type == lenet::LayerType::Conv) {
        const int O = L.out.c, I = L.in.c, K = S.kernel;
        std::vector<float> t(size_t(I) * K * O * K);
        for (int o = 0; o < O; ++o)
            for (int i = 0; i < I; ++i)
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx)
                        t[(size_t(i) * K + ky) * size_t(O * K) + size_t(o) * K + kx] =
                            w[((size_t(o) * I + i) * K + ky) * K + kx];
        heatmap_upload(tex, t.data(), O * K, I * K);
    } else if (L.type == lenet::LayerType::Full) {
        heatmap_upload(tex, w, int(L.in.size()), L.out.c);
    } else if (L.type == lenet::LayerType::Rbf) {
        const int O = L.out.c, I = int(L.in.size());
        if (I == 84) {
            std::vector<float> t(size_t(O) * 7 * 12);
            for (int o = 0; o < O; ++o)
                for (int y = 0; y < 12; ++y)
                    for (int x = 0; x < 7; ++x) t[size_t(y) * (O * 7) + size_t(o) * 7 + x] = w[size_t(o) * 84 + y * 7 + x];
            heatmap_upload(tex, t.data(), O * 7, 12);
        } else {
            heatmap_upload(tex, w, I, O);
        }
    }
}

namespace {

// The preprocessing strip: every step of the drawing's preprocessing, or the test digit.
void upload_steps(AppState& app) {
    Heatmap* steps = app.tex.steps;
    if (app.source == InputSource::Draw) {
        const lenet::Preprocessed& p = app.pre;
        if (!p.gray.empty()) heatmap_upload_u8(steps[0], p.gray.data(), p.gray_w, p.gray_h);
        if (!p.crop.empty()) heatmap_upload_u8(steps[1], p.crop.data(), p.crop_w, p.crop_h);
        if (p.fit20.size() == 400) heatmap_upload_u8(steps[2], p.fit20.data(), 20, 20);
        if (p.mnist28.size() == 784) heatmap_upload_u8(steps[3], p.mnist28.data(), 28, 28);
    } else if (app.test.count > 0) {
        heatmap_upload_u8(steps[3], app.test.image(app.sample), app.test.cols, app.test.rows);
    }
}

}  // namespace

void refresh_textures(AppState& app) {
    ViewTextures& t = app.tex;
    if (app.pad.dirty || !t.pad.tex) {
        heatmap_upload(t.pad, app.pad.ink.data(), DrawPad::kSize, DrawPad::kSize);
        app.pad.dirty = false;
    }
    eval_refresh_textures(app);
    lab_refresh_textures(app);
    backward_refresh(app);  // the training step shown, if any (app_backward.cpp)
    if (t.version == app.version && t.pre == app.show_pre && t.view == app.view) return;
    t.version = app.version;
    t.pre = app.show_pre;
    t.view = app.view;
    upload_maps(t.input, view_data(app, 0, false), view_shape(app, 0), true);
    upload_maps(t.act, view_data(app, app.view, app.show_pre), view_shape(app, app.view), app.view == 0);
    if (app.view > 0) upload_maps(t.prev, view_data(app, app.view - 1, false), view_shape(app, app.view - 1), app.view == 1);
    if (app.view > 0) {
        const lenet::LayerInfo& L = app.net->layers()[size_t(app.view - 1)];
        upload_weight_tensor(app, t.weights, app.view - 1,
                             L.type == lenet::LayerType::Rbf ? app.net->fixed().data() + L.fixed_offset
                                                             : app.net->params().data() + L.weight_offset);
    }
    upload_steps(app);
    // OUTPUT view of an RBF network: F6's 84 outputs as the paper's 7x12 bitmap.
    const int last = view_count(app) - 1;
    if (app.view == last && app.net->layers().back().type == lenet::LayerType::Rbf && app.ws->layers_done() >= last &&
        app.net->layers().back().in.size() == 84)
        heatmap_upload(t.f6, app.ws->out(last - 2), 7, 12);  // view last-1 = engine layer last-2
}

void free_textures(AppState& app) {
    heatmap_free(app.backward.d_out);
    heatmap_free(app.backward.d_weight);
    ViewTextures& t = app.tex;
    heatmap_free(t.pad);
    for (Heatmap& h : t.steps) heatmap_free(h);
    for (Heatmap* h : {&t.input, &t.act, &t.prev, &t.weights, &t.f6}) heatmap_free(*h);
    eval_free_textures(app);
    lab_free_textures(app);
}
