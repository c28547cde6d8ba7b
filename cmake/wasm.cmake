# cmake/wasm.cmake — Emscripten settings and the web-app helper. Included by the top-level
# CMakeLists.txt when building with emcmake / the `wasm` preset.
#
# Whole-build settings (every object in a link must agree on them):
#   -fexceptions  the engine reports errors by throwing lenet::Error; Emscripten disables C++
#                 exceptions by default (a throw would abort), so compile AND link with them on.
#   -flto         link-time optimisation (LENET_WASM_LTO, below).
# Per-target settings live in lenet_options (-msimd128) and in lenet_add_web_app() below.
include_guard(GLOBAL)

if(EMSCRIPTEN_VERSION VERSION_LESS 3.1)
  message(WARNING "Tested with Debian's Emscripten 3.1.6; found ${EMSCRIPTEN_VERSION}.")
endif()
string(APPEND CMAKE_CXX_FLAGS " -fexceptions")
# Link-time optimisation: the linker sees the whole program, drops what no path reaches and shares
# what the files repeat; index.wasm is ~85 KB (6%) smaller. Functions from files compiled with
# -Oz (the UI, the parsers) keep their size attributes; the kernels' files are compiled with -O2.
option(LENET_WASM_LTO "Link the wasm build with -flto" ON)
if(LENET_WASM_LTO)
  string(APPEND CMAKE_CXX_FLAGS " -flto")
  string(APPEND CMAKE_C_FLAGS " -flto")
  add_link_options(-flto)
endif()

# Debian's emcc needs NODE_PATH to find acorn (else: "Cannot find module 'acorn'" at -O1+), and runs
# twice as fast with EMSDK_PYTHON pointing at the system python (not a pyenv shim). The `wasm`
# preset sets both for configuring; these launchers keep them for every later compile and link,
# also when ninja is run directly.
set(LENET_EMCC_ENV "NODE_PATH=/usr/share/nodejs;EMSDK_PYTHON=/usr/bin/python3" CACHE STRING
    "Environment for emcc calls (list of VAR=value)")
foreach(_kind IN ITEMS C_COMPILER CXX_COMPILER C_LINKER CXX_LINKER)
  if(NOT CMAKE_${_kind}_LAUNCHER)
    set(CMAKE_${_kind}_LAUNCHER env ${LENET_EMCC_ENV})
  endif()
endforeach()
add_link_options(-fexceptions)

# lenet_add_web_app(<target>
#     SHELL <shell.html>          HTML template (configure_file @ONLY: @LENET_TITLE@, @PROJECT_VERSION@)
#     [STATIC_FILES <file>...]    copied next to index.html (the shell's own .js/.css)
#     [PRE_JS <file>...]          put ahead of the generated JS (e.g. the asset loader)
#     [POST_JS <file>...]         appended to the generated JS (e.g. the window.lenet API)
#     [SERVICE_WORKER <file>]     the page's service worker (sw.js; @LENET_RELEASE@ is filled in)
#     [EXPORTS <C function>...]   C functions callable with Module.ccall (besides main)
#     [TITLE <text>])
# Makes <target> (an executable whose sources are already added) produce
#   $<TARGET_FILE_DIR>/index.html + index.js + index.wasm, with WebGL2, growable memory and no
#   Emscripten boilerplate; after the link, cmake/lenet_site.py adds index.wasm.gz (what the page
#   fetches: static hosts need not compress), the release id, sw.js and site-files.txt (the list
#   of the site's files: index.*, shell.*, sw.js and the gzipped assets of cmake/LenetAssets.cmake).
function(lenet_add_web_app target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SHELL;TITLE;SERVICE_WORKER" "STATIC_FILES;PRE_JS;POST_JS;EXPORTS")
  if(NOT arg_SHELL)
    message(FATAL_ERROR "lenet_add_web_app(${target}): SHELL is required")
  endif()
  if(NOT arg_TITLE)
    set(arg_TITLE "${PROJECT_NAME}")
  endif()
  get_target_property(out_dir ${target} RUNTIME_OUTPUT_DIRECTORY)
  if(NOT out_dir)
    set(out_dir "${CMAKE_CURRENT_BINARY_DIR}")
  endif()

  set(LENET_TITLE "${arg_TITLE}")
  set(shell "${CMAKE_CURRENT_BINARY_DIR}/${target}-shell.html")
  configure_file("${arg_SHELL}" "${shell}" @ONLY)
  foreach(f IN LISTS arg_STATIC_FILES)
    get_filename_component(name "${f}" NAME)
    configure_file("${f}" "${out_dir}/${name}" COPYONLY)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${f}")  # a new release id (site step)
  endforeach()

  set(exports _main)
  foreach(e IN LISTS arg_EXPORTS)
    list(APPEND exports "_${e}")
  endforeach()
  list(JOIN exports "," exports)

  # Closure Compiler (npm google-closure-compiler, the version Emscripten 3.1.6 was tested with)
  # minifies index.js to ~40% and drops the runtime JS the app never calls. Every name that crosses
  # from our JS to the page (web/shell.js, tests) is therefore written as a quoted property.
  set(closure "${PROJECT_SOURCE_DIR}/node_modules/.bin/google-closure-compiler")
  if(NOT EXISTS "${closure}")
    message(FATAL_ERROR "${closure} not found: run scripts/setup (npm package google-closure-compiler).")
  endif()
  set_target_properties(${target} PROPERTIES CXX_LINKER_LAUNCHER "env;${LENET_EMCC_ENV};EM_CLOSURE_COMPILER=${closure}")

  set_target_properties(${target} PROPERTIES OUTPUT_NAME index SUFFIX ".html")
  target_link_options(${target} PRIVATE
    "SHELL:--shell-file ${shell}"
    -sENVIRONMENT=web
    -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2
    -sALLOW_MEMORY_GROWTH=1
    -Oz                             # link-time wasm-opt for size (code budget: index.wasm + index.js
                                    # <= 1.5 MB); objects keep their own -O2/-Oz, so the kernels stay -O2
    --closure 1                     # see above
    -sMALLOC=emmalloc               # 8 KB smaller than dlmalloc; the app allocates little per frame
    -sMINIFY_HTML=0                 # emcc 3.1.6's HTML minifier crashes at -O1 and above
    -sDYNAMIC_EXECUTION=0           # no eval/new Function: lets the page's CSP forbid them
    "-sEXPORTED_FUNCTIONS=${exports}"
    -sEXPORTED_RUNTIME_METHODS=ccall,UTF8ToString,abort)  # abort: tests/web/reliability.test.mjs
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${shell}")
  foreach(kind IN ITEMS PRE POST)
    string(TOLOWER "${kind}" flag)
    foreach(js IN LISTS arg_${kind}_JS)
      target_link_options(${target} PRIVATE "SHELL:--${flag}-js ${js}")
      set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${js}")
    endforeach()
  endforeach()
  if(arg_SERVICE_WORKER)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/cmake/lenet_site.py" site --dir "${out_dir}"
              --sw-template "${arg_SERVICE_WORKER}"
      COMMENT "index.wasm.gz, sw.js and the list of the site's files" VERBATIM)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${arg_SERVICE_WORKER}")
  endif()
endfunction()
