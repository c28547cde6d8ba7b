# web/app_assets.cmake — what the visualizer adds to the web/ build (included by web/CMakeLists.txt):
#   - run-time assets: the colormap shader (shaders/), the UI font, the shipped weights (assets/weights/*.lenet),
#     and the Fashion-MNIST test and training sets, gunzipped at configure time from Debian's dataset-fashion-mnist
#     (the wasm build has no zlib; the page gets them gzipped again and unpacks them itself).
#   - when the page loads them (WEB_LOAD, cmake/LenetAssets.cmake): the font, the shaders and the
#     default network's weights (lenet5-1998) before the first frame, the other weights in the
#     background after it, Fashion-MNIST's test set when it is chosen and its training set when
#     training starts on it.
lenet_add_asset("${PROJECT_SOURCE_DIR}/shaders/colormap.vert" shaders/colormap.vert)
lenet_add_asset("${PROJECT_SOURCE_DIR}/shaders/colormap.frag" shaders/colormap.frag)

# The UI font (Debian's fonts-dejavu-core); without it the app falls back to ImGui's built-in font.
set(LENET_UI_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" CACHE FILEPATH "TrueType font of the app's UI")
if(EXISTS "${LENET_UI_FONT}")
  lenet_add_asset("${LENET_UI_FONT}" fonts/ui.ttf)
endif()

set(LENET_WEIGHTS_DIR "${PROJECT_SOURCE_DIR}/assets/weights" CACHE PATH
    "Folder of the trained networks (*.lenet) the app ships; the default is the repository's")
file(GLOB _lenet_weights CONFIGURE_DEPENDS "${LENET_WEIGHTS_DIR}/*.lenet")
foreach(_w IN LISTS _lenet_weights)
  get_filename_component(_name "${_w}" NAME)
  if(_name STREQUAL "lenet5-1998.lenet")
    lenet_add_asset("${_w}" "weights/${_name}")
  else()
    lenet_add_asset("${_w}" "weights/${_name}" WEB_LOAD BACKGROUND)
  endif()
endforeach()

set(LENET_FASHION_DIR "/usr/share/datasets/fashion-mnist" CACHE PATH
    "Debian's dataset-fashion-mnist folder (gzipped idx files); empty = no Fashion-MNIST in the app")
if(LENET_FASHION_DIR AND EXISTS "${LENET_FASHION_DIR}/t10k-images-idx3-ubyte.gz")
  set(_out "${CMAKE_BINARY_DIR}/fashion-mnist")
  file(MAKE_DIRECTORY "${_out}")
  foreach(_f t10k-images-idx3-ubyte t10k-labels-idx1-ubyte train-images-idx3-ubyte train-labels-idx1-ubyte)
    set(_src "${LENET_FASHION_DIR}/${_f}.gz")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_src}")
    if(NOT EXISTS "${_out}/${_f}" OR "${_src}" IS_NEWER_THAN "${_out}/${_f}")
      execute_process(COMMAND gzip -dc "${_src}" OUTPUT_FILE "${_out}/${_f}" RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "could not gunzip ${_src} (gzip exit status ${_rc})")
      endif()
    endif()
    lenet_add_asset("${_out}/${_f}" "data/fashion/${_f}" WEB_LOAD ON_DEMAND)
  endforeach()
else()
  message(STATUS "Fashion-MNIST not found in '${LENET_FASHION_DIR}': the app offers MNIST only")
endif()
