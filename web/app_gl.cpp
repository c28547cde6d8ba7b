// web/app_gl.cpp — heatmaps on the GPU: float textures (R32F, one texel per unit) drawn with
// ImGui's image quads through our own colormap shader (shaders/colormap.vert/.frag, read from the
// asset folder). The shader is switched in with an ImDrawCallback before the image and ImGui's own
// render state is restored right after (ImDrawCallback_ResetRenderState), so text and widgets
// around it are unaffected. Works the same on WebGL2 and desktop OpenGL ES 3.0.
// If the shader cannot be built, maps are drawn as coloured rectangles on the CPU instead (slower,
// same colours: scale_color() mirrors the shader).
#include "app.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

std::string read_text(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw lenet::Error(lenet::ErrorKind::Io, path, "cannot open the shader file");
    std::string text;
    char        chunk[4096];
    for (size_t got; (got = std::fread(chunk, 1, sizeof chunk, f)) > 0;) text.append(chunk, got);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) throw lenet::Error(lenet::ErrorKind::Io, path, "cannot read the shader file");
    return text;
}

GLuint compile(GLenum kind, const std::string& src, const std::string& where, std::string& error) {
    GLuint s = glCreateShader(kind);
    const char* text = src.c_str();
    glShaderSource(s, 1, &text, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = {0};
        glGetShaderInfoLog(s, sizeof log - 1, nullptr, log);
        error = where + ": " + log;
        glDeleteShader(s);
        return 0;
    }
    return s;
}

void shader_callback(const ImDrawList*, const ImDrawCmd* cmd) {
    const ShaderCall* call = static_cast<const ShaderCall*>(cmd->UserCallbackData);
    const GlState*    gl = call->gl;
    const ImDrawData* dd = ImGui::GetDrawData();
    const float L = dd->DisplayPos.x, R = dd->DisplayPos.x + dd->DisplaySize.x;
    const float T = dd->DisplayPos.y, B = dd->DisplayPos.y + dd->DisplaySize.y;
    const float ortho[4][4] = {  // the same projection as imgui_impl_opengl3.cpp
        {2.0f / (R - L), 0.0f, 0.0f, 0.0f},
        {0.0f, 2.0f / (T - B), 0.0f, 0.0f},
        {0.0f, 0.0f, -1.0f, 0.0f},
        {(R + L) / (L - R), (T + B) / (B - T), 0.0f, 1.0f},
    };
    glUseProgram(gl->program);
    glUniformMatrix4fv(gl->loc_proj, 1, GL_FALSE, &ortho[0][0]);
    glUniform1i(gl->loc_tex, 0);
    glUniform1i(gl->loc_mode, int(call->scale.mode));
    glUniform1f(gl->loc_lo, call->scale.lo);
    glUniform1f(gl->loc_hi, call->scale.hi);
}

ImVec4 mix(ImVec4 a, ImVec4 b, float t) {
    return ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, 1.0f);
}

}  // namespace

void gl_init(AppState& app) {
    GlState& gl = app.gl;
    try {
        const std::string dir = app.config.asset_dir + "/shaders/";
        const std::string head = app.config.glsl_version + "\n";
        std::string err;
        GLuint vs = compile(GL_VERTEX_SHADER, head + read_text(dir + "colormap.vert"), "colormap.vert", err);
        GLuint fs = vs ? compile(GL_FRAGMENT_SHADER, head + read_text(dir + "colormap.frag"), "colormap.frag", err) : 0;
        if (vs && fs) {
            GLuint p = glCreateProgram();
            glAttachShader(p, vs);
            glAttachShader(p, fs);
            glLinkProgram(p);
            GLint ok = 0;
            glGetProgramiv(p, GL_LINK_STATUS, &ok);
            if (ok) {
                gl.program = p;
            } else {
                char log[1024] = {0};
                glGetProgramInfoLog(p, sizeof log - 1, nullptr, log);
                err = std::string("colormap shader link: ") + log;
                glDeleteProgram(p);
            }
        }
        if (vs) glDeleteShader(vs);
        if (fs) glDeleteShader(fs);
        gl.error = err;
    } catch (const lenet::Error& e) {
        gl.error = e.what();
    }
    if (gl.program) {
        gl.loc_proj = glGetUniformLocation(gl.program, "ProjMtx");
        gl.loc_tex  = glGetUniformLocation(gl.program, "Texture");
        gl.loc_mode = glGetUniformLocation(gl.program, "Mode");
        gl.loc_lo   = glGetUniformLocation(gl.program, "Lo");
        gl.loc_hi   = glGetUniformLocation(gl.program, "Hi");
    } else {
        app.notices.push_back("The colormap shader could not be built (" + gl.error +
                              "); maps are drawn without it, more slowly.");
    }
    float ramp[256];
    for (int i = 0; i < 256; ++i) ramp[i] = float(i) / 255.0f;
    heatmap_upload(gl.legend, ramp, 256, 1);
}

void gl_shutdown(AppState& app) {
    if (app.gl.program) glDeleteProgram(app.gl.program);
    app.gl.program = 0;
    heatmap_free(app.gl.legend);
}

void heatmap_upload(Heatmap& h, const float* data, int w, int hh) {
    h.data.assign(data, data + size_t(w) * size_t(hh));
    if (!h.tex) {
        GLuint t = 0;
        glGenTextures(1, &t);
        h.tex = t;
        glBindTexture(GL_TEXTURE_2D, t);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);  // one texel = one unit
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        h.w = h.h = 0;
    } else {
        glBindTexture(GL_TEXTURE_2D, h.tex);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    if (w == h.w && hh == h.h) {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, hh, GL_RED, GL_FLOAT, data);
    } else {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, w, hh, 0, GL_RED, GL_FLOAT, data);
        h.w = w;
        h.h = hh;
    }
}

void heatmap_upload_u8(Heatmap& h, const uint8_t* data, int w, int hh) {
    std::vector<float> f(size_t(w) * size_t(hh));
    for (size_t i = 0; i < f.size(); ++i) f[i] = float(data[i]) / 255.0f;
    heatmap_upload(h, f.data(), w, hh);
}

void heatmap_free(Heatmap& h) {
    if (h.tex) {
        GLuint t = h.tex;
        glDeleteTextures(1, &t);
    }
    h = Heatmap();
}

ImU32 scale_color(const ColorScale& s, float v) {
    float t = (v - s.lo) / std::max(s.hi - s.lo, 1e-12f);
    t = std::clamp(std::isfinite(t) ? t : 0.0f, 0.0f, 1.0f);
    ImVec4 c;
    if (s.mode == ColorMode::Diverging) {
        const ImVec4 neg(0.085f, 0.32f, 0.69f, 1), mid(0.97f, 0.97f, 0.97f, 1), pos(0.75f, 0.10f, 0.12f, 1);
        c = t < 0.5f ? mix(neg, mid, t * 2.0f) : mix(mid, pos, t * 2.0f - 1.0f);
    } else if (s.mode == ColorMode::Sequential) {
        const ImVec4 stops[5] = {{0.267f, 0.005f, 0.329f, 1}, {0.230f, 0.322f, 0.546f, 1}, {0.128f, 0.567f, 0.551f, 1},
                                 {0.369f, 0.789f, 0.383f, 1}, {0.993f, 0.906f, 0.144f, 1}};
        const float x = t * 4.0f;
        const int   i = std::min(3, int(x));
        c = mix(stops[i], stops[i + 1], x - float(i));
    } else {
        c = ImVec4(t, t, t, 1);
    }
    return ImGui::ColorConvertFloat4ToU32(c);
}

bool draw_heatmap(AppState& app, const char* id, const Heatmap& h, ImVec2 size, ImVec2 uv0, ImVec2 uv1,
                  const ColorScale& s, ImVec2* hover_uv) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p0 = ImGui::GetCursorScreenPos(), p1(p0.x + size.x, p0.y + size.y);
    if (h.tex && ImGui::IsRectVisible(size)) {
        if (app.gl.program) {
            app.shader_calls.push_back(ShaderCall{s, &app.gl});
            dl->AddCallback(shader_callback, &app.shader_calls.back());
            dl->AddImage(reinterpret_cast<ImTextureID>(intptr_t(h.tex)), p0, p1, uv0, uv1);
            dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
        } else {  // CPU fallback: one rectangle per texel of the sub-rectangle
            const int x0 = int(uv0.x * h.w + 0.5f), x1 = int(uv1.x * h.w + 0.5f);
            const int y0 = int(uv0.y * h.h + 0.5f), y1 = int(uv1.y * h.h + 0.5f);
            const float cw = size.x / float(std::max(1, x1 - x0)), ch = size.y / float(std::max(1, y1 - y0));
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x) {
                    ImVec2 a(p0.x + (x - x0) * cw, p0.y + (y - y0) * ch);
                    dl->AddRectFilled(a, ImVec2(a.x + cw, a.y + ch), scale_color(s, h.data[size_t(y) * h.w + x]));
                }
        }
    }
    ImGui::InvisibleButton(id, ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)));
    const bool hovered = ImGui::IsItemHovered();
    if (hovered && hover_uv) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        *hover_uv = ImVec2(std::clamp((m.x - p0.x) / size.x, 0.0f, 0.9999f), std::clamp((m.y - p0.y) / size.y, 0.0f, 0.9999f));
    }
    return hovered;
}

void draw_legend(AppState& app, const ColorScale& s, float width) {
    ColorScale ramp = s;  // the legend texture holds 0..1: map it onto lo..hi with the same mode
    ramp.lo = 0.0f;
    ramp.hi = 1.0f;
    char lo[32], mid[32], hi[32];
    std::snprintf(lo, sizeof lo, "%.4g", double(s.lo));
    std::snprintf(mid, sizeof mid, "%.4g", double(0.5f * (s.lo + s.hi)));
    std::snprintf(hi, sizeof hi, "%.4g", double(s.hi));
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImVec2 hover;
    if (draw_heatmap(app, "##legend", app.gl.legend, ImVec2(width, 12.0f), ImVec2(0, 0), ImVec2(1, 1), ramp, &hover))
        ImGui::SetTooltip("%.4g", double(s.lo + hover.x * (s.hi - s.lo)));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRect(p, ImVec2(p.x + width, p.y + 12.0f), IM_COL32(120, 120, 130, 255));
    ImGui::TextUnformatted(lo);
    ImGui::SameLine(std::max(0.0f, width * 0.5f - ImGui::CalcTextSize(mid).x * 0.5f));
    ImGui::TextUnformatted(mid);
    ImGui::SameLine(std::max(0.0f, width - ImGui::CalcTextSize(hi).x));
    ImGui::TextUnformatted(hi);
}
