// shaders/colormap.frag — turns one float per texel (an R32F texture: activations, weights) into a
// colour. Modes:
//   0 diverging:  Lo..Hi (symmetric, Lo = -Hi) blue .. white at 0 .. red  (tanh maps: +-1.7159)
//   1 sequential: Lo..Hi dark purple .. blue .. green .. yellow (viridis-like; ReLU, distances)
//   2 gray:       Lo..Hi black .. white (input images: ink white on black, as MNIST is shown)
// Values outside Lo..Hi are clamped. Frag_Color (ImGui's vertex colour) tints the result, so
// ImGui::Image's tint_col works as usual. The app's CPU copy is scale_color() in web/app_gl.cpp.
precision highp float;
uniform highp sampler2D Texture;
uniform int Mode;
uniform float Lo;
uniform float Hi;
in vec2 Frag_UV;
in vec4 Frag_Color;
layout (location = 0) out vec4 Out_Color;

vec3 diverging(float t) {  // t in [0, 1], 0.5 = zero
    vec3 neg = vec3(0.085, 0.32, 0.69);   // strong blue
    vec3 mid = vec3(0.97, 0.97, 0.97);    // near white
    vec3 pos = vec3(0.75, 0.10, 0.12);    // strong red
    return t < 0.5 ? mix(neg, mid, t * 2.0) : mix(mid, pos, t * 2.0 - 1.0);
}

vec3 sequential(float t) {  // a 5-stop approximation of viridis
    vec3 c0 = vec3(0.267, 0.005, 0.329);
    vec3 c1 = vec3(0.230, 0.322, 0.546);
    vec3 c2 = vec3(0.128, 0.567, 0.551);
    vec3 c3 = vec3(0.369, 0.789, 0.383);
    vec3 c4 = vec3(0.993, 0.906, 0.144);
    float s = t * 4.0;
    if (s < 1.0) return mix(c0, c1, s);
    if (s < 2.0) return mix(c1, c2, s - 1.0);
    if (s < 3.0) return mix(c2, c3, s - 2.0);
    return mix(c3, c4, s - 3.0);
}

void main() {
    float v = texture(Texture, Frag_UV.st).r;
    float t = clamp((v - Lo) / max(Hi - Lo, 1e-12), 0.0, 1.0);
    vec3 c;
    if (Mode == 0) c = diverging(t);
    else if (Mode == 1) c = sequential(t);
    else c = vec3(t);
    Out_Color = vec4(c, 1.0) * Frag_Color;
}
