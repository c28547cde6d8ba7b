// stb_image_config.h — the one stb_image configuration of the engine (Debian's libstb-dev, 2.27):
// the four formats we accept, no stdio, at most lenet::kMaxImageSide pixels per side. Included by
// image.cpp (declarations) and stb_image_impl.cpp (the implementation).
#pragma once

#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_PNM
#define STBI_ONLY_BMP
#define STBI_ONLY_JPEG
#define STBI_MAX_DIMENSIONS 4096
#include <stb/stb_image.h>
