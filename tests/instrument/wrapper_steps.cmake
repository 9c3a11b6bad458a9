# Steps shared by the cmake -P tests that build programs through threadlens-c++ (WRAPPER) and
# analyze them (THREADLENS).

# WRAPPER with THREADLENS_CXX=compiler and the other arguments; fails with `what` on error.
function(wrapper_build compiler what)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env THREADLENS_CXX=${compiler} ${WRAPPER} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "threadlens-c++ with ${compiler} could not ${what}:\n${log}")
  endif()
endfunction()

# Runs `prog` under `threadlens run` and puts `threadlens analyze`'s text report in `out`.
function(trace_and_analyze prog out)
  execute_process(COMMAND ${THREADLENS} run -o "${prog}.tltrace" -- "${prog}"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "threadlens run ${prog} failed (${rc}):\n${log}")
  endif()
  execute_process(COMMAND ${THREADLENS} analyze "${prog}.tltrace"
                  OUTPUT_VARIABLE report ERROR_VARIABLE log)
  set(${out} "${report}" PARENT_SCOPE)
endfunction()
