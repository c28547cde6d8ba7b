# web/logic.cmake — lenet_app_logic: the app's pure logic, without ImGui, GL or SDL: the URL-hash
# parser (hash_parse.cpp), the forward and backward trace arithmetic (trace.cpp, trace_backward.cpp),
# untrusted text made safe to echo (printable.cpp), where UI text lines break (text_wrap.cpp), the
# Train tab's arithmetic (train_logic.cpp) and the training steps after OUTPUT (backward_steps.cpp).
# The app (web/CMakeLists.txt) links it, and so do the unit tests (tests/CMakeLists.txt:
# test_hash_parse.cpp, test_trace*.cpp, test_train_logic.cpp, test_backward_steps.cpp), which are also built without the app
# (the asan preset). Both include this file; the target is made once.
include_guard(GLOBAL)

add_library(lenet_app_logic STATIC
  "${CMAKE_CURRENT_LIST_DIR}/backward_steps.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/hash_parse.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/printable.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/text_wrap.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/trace.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/trace_backward.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/train_logic.cpp")
target_include_directories(lenet_app_logic PUBLIC "${CMAKE_CURRENT_LIST_DIR}")
target_link_libraries(lenet_app_logic PUBLIC lenet::engine)
foreach(_t lenet_warnings lenet_options)
  if(TARGET ${_t})
    target_link_libraries(lenet_app_logic PRIVATE ${_t})
  endif()
endforeach()
if(EMSCRIPTEN)
  target_compile_options(lenet_app_logic PRIVATE -Os)  # as lenet_app: not on a hot path, size first
endif()
