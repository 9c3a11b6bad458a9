# `threadlens run --compress`: the same memory-heavy program traced with and without it gives
# the same events and the same finding, in a trace at least three times smaller. By default
# (auto) blocks are compressed only past THREADLENS_COMPRESS_AFTER bytes (256 MiB): this
# trace of about 9 MB stays as large as the plain one, and with the threshold at 64 KiB it is
# compressed past that point.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P compressed_trace_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prog "${WORK_DIR}/busy_counter")
wrapper_build(${COMPILER} "build the program" -g -O1 "${SOURCE_DIR}/data/busy_counter.cc"
              -o "${prog}")

foreach(mode plain compressed auto auto64k)
  set(flags "")
  set(env "")
  if(mode STREQUAL "plain")
    set(flags --no-compress)
  elseif(mode STREQUAL "compressed")
    set(flags --compress)
  elseif(mode STREQUAL "auto64k")
    set(env THREADLENS_COMPRESS_AFTER=65536)
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${env} ${THREADLENS} run ${flags}
                          -o "${WORK_DIR}/${mode}.tltrace" -- "${prog}"
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
               "compressed ${size_compressed} bytes, ${events_compressed} events; "
               "auto ${size_auto} bytes; auto past 64 KiB ${size_auto64k} bytes")
foreach(mode compressed auto auto64k)
  if(NOT races_plain EQUAL 1 OR NOT races_${mode} EQUAL 1 OR
     NOT fingerprint_plain STREQUAL fingerprint_${mode})
    message(FATAL_ERROR "findings differ: plain ${races_plain} race(s) ${fingerprint_plain}, "
                        "${mode} ${races_${mode}} ${fingerprint_${mode}}")
  endif()
  if(NOT events_plain EQUAL events_${mode})
    message(FATAL_ERROR "events differ: ${events_plain} plain, ${events_${mode}} ${mode}")
  endif()
endforeach()
# Below the threshold nothing is compressed: the sizes differ by block boundaries alone.
math(EXPR plain_90 "${size_plain} * 9 / 10")
if(size_auto LESS plain_90)
  message(FATAL_ERROR "the default trace (${size_auto} bytes) was compressed below 256 MiB "
                      "(plain ${size_plain})")
endif()
math(EXPR auto64k_thrice "${size_auto64k} * 3")
if(NOT auto64k_thrice LESS size_plain)
  message(FATAL_ERROR "the trace compressed past 64 KiB (${size_auto64k} bytes) is not a third "
                      "of the plain one (${size_plain})")
endif()
math(EXPR thrice "${size_compressed} * 3")
if(NOT thrice LESS size_plain)
  message(FATAL_ERROR "the compressed trace (${size_compressed} bytes) is not a third of the "
                      "plain one (${size_plain})")
endif()
