# cmake/LenetOptions.cmake — compiler flags as INTERFACE targets, linked PRIVATE by our own targets
# (never directory-wide, never onto third-party code):
#   lenet_warnings  the warning set for code we write; LENET_WERROR=ON turns warnings into errors.
#   lenet_options   language level and per-platform code-generation flags (wasm: SIMD).
# ABI-wide settings that must be identical for every object in a link (C++ exceptions under
# Emscripten, sanitizers) are set for the whole build instead: see cmake/wasm.cmake and the `asan`
# preset in CMakePresets.json.
include_guard(GLOBAL)

option(LENET_WERROR "Treat compiler warnings in our own code as errors" OFF)

add_library(lenet_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(lenet_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
    -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations
    $<$<BOOL:${LENET_WERROR}>:-Werror>)
endif()

add_library(lenet_options INTERFACE)
target_compile_features(lenet_options INTERFACE cxx_std_17)
if(EMSCRIPTEN)
  # 128-bit wasm SIMD: LLVM 14 auto-vectorises the engine's inner loops to f32x4 (all current
  # browsers support it).
  target_compile_options(lenet_options INTERFACE -msimd128)
endif()
