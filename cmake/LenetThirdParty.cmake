# cmake/LenetThirdParty.cmake — header-only Debian libraries (stb, nlohmann-json, doctest, CLI11) for
# native AND wasm builds. /usr/include must never be on emcc's include path (glibc's headers clash
# with Emscripten's libc), so the needed folders are staged — symlinked — into one build-tree
# folder, LENET_THIRD_PARTY_INCLUDE, used the same way by both builds:
#   #include <stb/stb_image.h>  <nlohmann/json.hpp>  <doctest/doctest.h>  <CLI/CLI.hpp>
# Target: lenet::third_party (INTERFACE, SYSTEM include of the staged folder).
include_guard(GLOBAL)

# lenet_stage_headers(<dest-dir> <folder>...): symlink /usr/include/<folder> into <dest-dir>.
function(lenet_stage_headers dest)
  file(MAKE_DIRECTORY "${dest}")
  foreach(folder IN LISTS ARGN)
    if(NOT EXISTS "/usr/include/${folder}")
      message(FATAL_ERROR "/usr/include/${folder} is missing: run scripts/setup (Debian header packages).")
    endif()
    if(NOT EXISTS "${dest}/${folder}")
      file(CREATE_LINK "/usr/include/${folder}" "${dest}/${folder}" SYMBOLIC)
    endif()
  endforeach()
endfunction()

set(LENET_THIRD_PARTY_INCLUDE "${PROJECT_BINARY_DIR}/third_party/include" CACHE PATH
    "Staged header-only third-party folders (stb/, nlohmann/, doctest/, CLI/)")
lenet_stage_headers("${LENET_THIRD_PARTY_INCLUDE}" stb nlohmann doctest CLI)

add_library(lenet_third_party INTERFACE)
add_library(lenet::third_party ALIAS lenet_third_party)
target_include_directories(lenet_third_party SYSTEM INTERFACE "${LENET_THIRD_PARTY_INCLUDE}")
