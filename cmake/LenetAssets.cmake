# cmake/LenetAssets.cmake — the data files the app reads at run time (MNIST test set, weights,
# fonts, sample digits). One list, two uses:
#   web:      packaged into index.data with --preload-file and mounted at /assets/<dest>;
#   desktop:  copied next to the executable, into <exe dir>/assets/<dest>.
# so the app opens "<AppConfig::asset_dir>/<dest>" on both platforms.
#
# To add a file, from any CMakeLists.txt, before or after web/ is processed:
#     lenet_add_asset(<absolute source path> <dest relative to the asset root>)
# e.g. lenet_add_asset("${PROJECT_SOURCE_DIR}/assets/weights/lenet5.lenet" weights/lenet5.lenet)
# The list is applied to the app targets at the end of configuration (cmake_language(DEFER)), so
# the order of add_subdirectory() calls does not matter. Changing an asset re-links / re-copies.
include_guard(GLOBAL)

function(lenet_add_asset src dest)
  if(NOT IS_ABSOLUTE "${src}")
    set(src "${CMAKE_CURRENT_SOURCE_DIR}/${src}")
  endif()
  if(IS_ABSOLUTE "${dest}" OR dest MATCHES "(^|/)\\.\\.(/|$)")
    message(FATAL_ERROR "lenet_add_asset: destination '${dest}' must be relative, inside the asset root")
  endif()
  set_property(GLOBAL APPEND PROPERTY LENET_ASSETS "${src}|${dest}")
endfunction()

# lenet_use_assets(<target> PRELOAD|COPY): PRELOAD (web) or COPY (desktop) every asset for <target>.
function(lenet_use_assets target mode)
  if(NOT mode MATCHES "^(PRELOAD|COPY)$")
    message(FATAL_ERROR "lenet_use_assets(${target} ${mode}): mode must be PRELOAD or COPY")
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
  foreach(a IN LISTS assets)
    string(REPLACE "|" ";" a "${a}")
    list(GET a 0 src)
    list(GET a 1 dest)
    if(mode STREQUAL "PRELOAD")
      set_property(TARGET ${target} APPEND PROPERTY LINK_OPTIONS "SHELL:--preload-file ${src}@/assets/${dest}")
      set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${src}")
    else()
      add_custom_command(OUTPUT "${out_dir}/assets/${dest}"
        COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${src}" "${out_dir}/assets/${dest}"
        DEPENDS "${src}" COMMENT "Asset assets/${dest}" VERBATIM)
      list(APPEND outputs "${out_dir}/assets/${dest}")
    endif()
  endforeach()
  if(mode STREQUAL "COPY")
    add_custom_target(${target}_assets ALL DEPENDS ${outputs})
    add_dependencies(${target} ${target}_assets)
  endif()
endfunction()
