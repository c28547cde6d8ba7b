# cmake/LenetOnnxProto.cmake — the ONNX protobuf codec for the engine: nanopb 0.4.7's runtime, built
# from Debian's nanopb source package (scripts/setup downloads its .orig tarball into
# LENET_DEBSRC_DIR), and C code generated at build time by Debian's nanopb generator from the
# onnx.proto that Debian's python3-onnx ships. Nothing generated or third-party is committed.
#
# engine/onnx/onnx.options tells the generator which fields the engine reads or writes: strings,
# bytes and repeated fields are malloc'ed, the others (subgraphs, functions, training info, ...) are
# skipped while decoding, which also leaves no recursive message.
#
# Target: lenet::onnx_pb (static C library; include <onnx.pb.h>, <pb_decode.h>, <pb_encode.h>).
include_guard(GLOBAL)
include(FetchContent)
get_filename_component(_lenet_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)  # also from tests/fuzz

set(LENET_DEBSRC_DIR "${_lenet_repo}/.cache/debsrc" CACHE PATH
    "Folder holding Debian's .orig source tarballs (filled by scripts/setup)")
set(_lenet_nanopb_tarball "${LENET_DEBSRC_DIR}/nanopb_0.4.7.orig.tar.gz")
if(NOT EXISTS "${_lenet_nanopb_tarball}")
  message(FATAL_ERROR "Missing ${_lenet_nanopb_tarball}.\nRun scripts/setup first (it downloads "
                      "Debian's nanopb source package), or set LENET_DEBSRC_DIR to where it is.")
endif()
FetchContent_Declare(nanopb
  URL "file://${_lenet_nanopb_tarball}"
  URL_HASH SHA256=e1d89b166367a3c42d42311bdc2ed57ff78f86aede9a66828516e45490d48c81
  DOWNLOAD_EXTRACT_TIMESTAMP ON)
FetchContent_GetProperties(nanopb)
if(NOT nanopb_POPULATED)
  FetchContent_Populate(nanopb)   # only the runtime's three .c files are used, not its CMakeLists.txt
endif()

find_program(LENET_NANOPB_GENERATOR nanopb_generator.py nanopb_generator
             HINTS /usr/bin NO_CMAKE_FIND_ROOT_PATH)
find_file(LENET_ONNX_PROTO onnx.proto
          HINTS /usr/lib/python3/dist-packages/onnx /usr/include/onnx NO_CMAKE_FIND_ROOT_PATH)
if(NOT LENET_NANOPB_GENERATOR OR NOT LENET_ONNX_PROTO)
  message(FATAL_ERROR "The nanopb generator or onnx.proto is missing: run scripts/setup "
                      "(Debian packages nanopb and python3-onnx).")
endif()

set(_gen "${PROJECT_BINARY_DIR}/onnx_pb")
set(_opts "${_lenet_repo}/engine/onnx/onnx.options")
add_custom_command(
  OUTPUT "${_gen}/onnx.pb.c" "${_gen}/onnx.pb.h"
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${_gen}"
  COMMAND "${CMAKE_COMMAND}" -E copy "${LENET_ONNX_PROTO}" "${_gen}/onnx.proto"
  COMMAND "${LENET_NANOPB_GENERATOR}" -q -f "${_opts}" -D "${_gen}" -I "${_gen}" "${_gen}/onnx.proto"
  DEPENDS "${LENET_ONNX_PROTO}" "${_opts}"
  COMMENT "Generating onnx.pb.c/.h with nanopb"
  VERBATIM)

add_library(lenet_onnx_pb STATIC
  "${nanopb_SOURCE_DIR}/pb_common.c" "${nanopb_SOURCE_DIR}/pb_decode.c" "${nanopb_SOURCE_DIR}/pb_encode.c"
  "${_gen}/onnx.pb.c")
add_library(lenet::onnx_pb ALIAS lenet_onnx_pb)
# PB_FIELD_32BIT: repeated fields may hold more than 65,535 items (float_data of a large tensor).
target_compile_definitions(lenet_onnx_pb PUBLIC PB_ENABLE_MALLOC PB_FIELD_32BIT)
target_include_directories(lenet_onnx_pb SYSTEM PUBLIC "${nanopb_SOURCE_DIR}" "${_gen}")
if(EMSCRIPTEN)
  target_compile_options(lenet_onnx_pb PRIVATE -Oz)
endif()
