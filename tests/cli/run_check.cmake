# tests/cli/run_check.cmake — run one command and check its exit status and output (CTest helper).
#   cmake -DCMD="prog;arg;..." -DEXPECT_RC=0 -DEXPECT="regex1;regex2" [-DREJECT="regex"] -P run_check.cmake
# Every EXPECT regex must match the combined stdout+stderr; REJECT must not.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit status ${rc}, expected ${EXPECT_RC}\n--- output ---\n${all}")
endif()
foreach(re IN LISTS EXPECT)
  if(NOT all MATCHES "${re}")
    message(FATAL_ERROR "output does not match '${re}'\n--- output ---\n${all}")
  endif()
endforeach()
if(DEFINED REJECT AND all MATCHES "${REJECT}")
  message(FATAL_ERROR "output matches '${REJECT}'\n--- output ---\n${all}")
endif()
