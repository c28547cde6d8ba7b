// image_decoder.cpp — the stb_image implementation (Debian's libstb-dev, 2.27; image.cpp checks
// and filters what it is given before it decodes: see the notes there).
//
// In its own translation unit so that the sanitizer builds (asan preset, tests/fuzz) can leave out
// its shift checks, -fno-sanitize=shift (GCC 12 ignores the narrower -fno-sanitize=shift-exponent;
// engine/CMakeLists.txt, tests/fuzz/CMakeLists.txt):
// when a marker ends a JPEG scan early, stbi__grow_buffer_unsafe keeps adding bits with code_bits
// gone negative, `b << (24 - code_bits)` shifts by 32 or more. b is always 0 there (no bytes are read
// after the marker), so the value is 0 whatever the shift gives; UBSan still reports it
// (tests/corpus/image/crash-jpeg-shift-after-marker, which the corpus test replays).
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#endif
#include "image_decoder_config.h"
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
