// shaders/colormap.vert — vertex stage of the colormap shader. The app prepends the GLSL version
// line (AppConfig::glsl_version, "#version 300 es" for WebGL2 and desktop OpenGL ES 3.0). The
// attribute layout is Dear ImGui's (imgui_impl_opengl3.cpp), so ImGui's own vertex buffers feed it.
precision highp float;
layout (location = 0) in vec2 Position;
layout (location = 1) in vec2 UV;
layout (location = 2) in vec4 Color;
uniform mat4 ProjMtx;
out vec2 Frag_UV;
out vec4 Frag_Color;
void main() {
    Frag_UV = UV;
    Frag_Color = Color;
    gl_Position = ProjMtx * vec4(Position.xy, 0.0, 1.0);
}
