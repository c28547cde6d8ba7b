# cmake/LenetAssets.cmake — the data files the app reads at run time (MNIST test set, weights,
# fonts, shaders). One list, two uses:
#   web:      gzipped into <target dir>/assets/<dest>.gz and listed in a manifest that the page's
#             loader (web/assets.js) follows: it fetches them, unpacks them with the browser's
#             DecompressionStream and writes them to /assets/<dest> in the in-memory file system;
#   desktop:  copied next to the executable, into <exe dir>/assets/<dest>.
# so the app opens "<AppConfig::asset_dir>/<dest>" on both platforms.
#
# To add a file, from any CMakeLists.txt, before or after web/ is processed:
#     lenet_add_asset(<absolute source path> <dest relative to the asset root> [WEB_LOAD <when>])
# e.g. lenet_add_asset("${PROJECT_SOURCE_DIR}/assets/weights/lenet5.lenet" weights/lenet5.lenet)
# WEB_LOAD says when the page fetches it: FIRST (the default: before the app starts; keep these to
# what the first frame needs), BACKGROUND (right after the first frame, in the order added) or
# ON_DEMAND (when the app asks for it, platform_asset_request in web/platform.h). The desktop
# ignores it. The list is applied to the app targets at the end of configuration
# (cmake_language(DEFER)), so the order of add_subdirectory() calls does not matter. Changing an
# asset re-packs / re-copies.
include_guard(GLOBAL)

function(lenet_add_asset src dest)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "WEB_LOAD" "")
  if(NOT arg_WEB_LOAD)
    set(arg_WEB_LOAD FIRST)
  endif()
  if(NOT arg_WEB_LOAD MATCHES "^(FIRST|BACKGROUND|ON_DEMAND)$")
    message(FATAL_ERROR "lenet_add_asset(${dest}): WEB_LOAD must be FIRST, BACKGROUND or ON_DEMAND")
  endif()
  string(TOLOWER "${arg_WEB_LOAD}" load)
  if(NOT IS_ABSOLUTE "${src}")
    set(src "${CMAKE_CURRENT_SOURCE_DIR}/${src}")
  endif()
  if(IS_ABSOLUTE "${dest}" OR dest MATCHES "(^|/)\\.\\.(/|$)")
    message(FATAL_ERROR "lenet_add_asset: destination '${dest}' must be relative, inside the asset root")
  endif()
  set_property(GLOBAL APPEND PROPERTY LENET_ASSETS "${src}|${dest}|${load}")
endfunction()

# lenet_use_assets(<target> STREAM|COPY): STREAM (web: gzip + manifest, see above) or COPY
# (desktop) every asset for <target>.
function(lenet_use_assets target mode)
  if(NOT mode MATCHES "^(STREAM|COPY)$")
    message(FATAL_ERROR "lenet_use_assets(${target} ${mode}): mode must be STREAM or COPY")
  endif()
  # DEFER CALL evaluates variable references when the call runs: bake the values in with EVAL.
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]] CALL _lenet_apply_assets [[${target}]] [[${mode}]])")
endfunction()

function(_lenet_apply_assets target mode)
  get_property(assets GLOBAL PROPERTY LENET_ASSETS)
  set(outputs "")
  get_target_property(out_dir ${target} RUNTIME_OUTPUT_DIRECTORY)
  if(NOT out_dir)
    get_target_property(out_dir ${target} BINARY_DIR)
  endif()
  if(mode STREQUAL "STREAM")
    _lenet_stream_assets(${target} "${out_dir}" "${assets}")
    return()
  endif()
  foreach(a IN LISTS assets)
    string(REPLACE "|" ";" a "${a}")
    list(GET a 0 src)
    list(GET a 1 dest)
    add_custom_command(OUTPUT "${out_dir}/assets/${dest}"
      COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${src}" "${out_dir}/assets/${dest}"
      DEPENDS "${src}" COMMENT "Asset assets/${dest}" VERBATIM)
    list(APPEND outputs "${out_dir}/assets/${dest}")
  endforeach()
  add_custom_target(${target}_assets ALL DEPENDS ${outputs})
  add_dependencies(${target} ${target}_assets)
endfunction()

# The web: gzip every asset and write the manifest, which is linked into index.js (--pre-js)
# ahead of web/assets.js, the loader that follows it.
function(_lenet_stream_assets target out_dir assets)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(list_file "${CMAKE_CURRENT_BINARY_DIR}/${target}-assets.txt")
  set(manifest "${CMAKE_CURRENT_BINARY_DIR}/${target}-asset-manifest.js")
  set(sources "")
  foreach(a IN LISTS assets)
    string(REPLACE "|" ";" parts "${a}")
    list(GET parts 0 src)
    list(APPEND sources "${src}")
  endforeach()
  list(JOIN assets "\n" lines)
  file(CONFIGURE OUTPUT "${list_file}" CONTENT "${lines}\n" @ONLY)  # rewritten only when it changes
  set(script "${PROJECT_SOURCE_DIR}/cmake/lenet_site.py")
  add_custom_command(OUTPUT "${manifest}"
    COMMAND "${Python3_EXECUTABLE}" "${script}" assets --out "${out_dir}" --list "${list_file}" --manifest-js "${manifest}"
    DEPENDS "${script}" "${list_file}" ${sources}
    COMMENT "Packing the app's assets (gzip) and their manifest" VERBATIM)
  add_custom_target(${target}_assets DEPENDS "${manifest}")
  add_dependencies(${target} ${target}_assets)
  target_link_options(${target} PRIVATE "SHELL:--pre-js ${manifest}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${manifest}")
endfunction()
