// image_decoder_config.h — the one stb_image configuration of the engine (Debian's libstb-dev, 2.27):
// the four formats we accept, no stdio, at most lenet::kMaxImageSide pixels per side. Included by
// image.cpp (declarations) and image_decoder.cpp (the implementation). Our settings only: stb_image.h
// itself is Debian's, found at build time through LENET_THIRD_PARTY_INCLUDE (engine/CMakeLists.txt).
#pragma once

#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_PNM
#define STBI_ONLY_BMP
#define STBI_ONLY_JPEG
#define STBI_MAX_DIMENSIONS 4096
#include <stb/stb_image.h>
