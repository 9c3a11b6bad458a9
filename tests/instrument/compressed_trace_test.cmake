# `threadlens run --compress`: the same memory-heavy program traced with and without it gives
# the same events and the same finding, in a trace at least three times smaller.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P compressed_trace_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prog "${WORK_DIR}/busy_counter")
wrapper_build(${COMPILER} "build the program" -g -O1 "${SOURCE_DIR}/data/busy_counter.cc"
              -o "${prog}")

foreach(mode plain compressed)
  set(flags "")
  if(mode STREQUAL "compressed")
    set(flags --compress)
  endif()
  execute_process(COMMAND ${THREADLENS} run ${flags} -o "${WORK_DIR}/${mode}.tltrace" -- "${prog}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "threadlens run ${flags} failed (${rc}):\n${log}")
  endif()
  execute_process(COMMAND ${THREADLENS} analyze --format json "${WORK_DIR}/${mode}.tltrace"
                  OUTPUT_VARIABLE json ERROR_VARIABLE log RESULT_VARIABLE rc)
  string(JSON events_${mode} GET "${json}" events)
  string(JSON races_${mode} GET "${json}" summary race)
  string(JSON fingerprint_${mode} ERROR_VARIABLE none GET "${json}" findings 0 fingerprint)
  file(SIZE "${WORK_DIR}/${mode}.tltrace" size_${mode})
endforeach()

message(STATUS "plain ${size_plain} bytes, ${events_plain} events; "
               "compressed ${size_compressed} bytes, ${events_compressed} events")
if(NOT races_plain EQUAL 1 OR NOT races_compressed EQUAL 1 OR
   NOT fingerprint_plain STREQUAL fingerprint_compressed)
  message(FATAL_ERROR "findings differ: plain ${races_plain} race(s) ${fingerprint_plain}, "
                      "compressed ${races_compressed} ${fingerprint_compressed}")
endif()
if(NOT events_plain EQUAL events_compressed)
  message(FATAL_ERROR "events differ: ${events_plain} plain, ${events_compressed} compressed")
endif()
math(EXPR thrice "${size_compressed} * 3")
if(NOT thrice LESS size_plain)
  message(FATAL_ERROR "the compressed trace (${size_compressed} bytes) is not a third of the "
                      "plain one (${size_plain})")
endif()
