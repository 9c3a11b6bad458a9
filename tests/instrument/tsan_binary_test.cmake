# `threadlens run` on a program built with clang's -fsanitize=thread refuses with exit status 2
# and says what to do (TSan's runtime crashes beside the tracer's); the same source built with
# threadlens-c++ runs under it.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P tsan_binary_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(source "${SOURCE_DIR}/data/rebuilt_counter.cc")

execute_process(COMMAND ${COMPILER} -g -O1 -fsanitize=thread "${source}" -o "${WORK_DIR}/tsan_built"
                RESULT_VARIABLE rc ERROR_VARIABLE log)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${COMPILER} -fsanitize=thread failed:\n${log}")
endif()
execute_process(COMMAND ${THREADLENS} run -o "${WORK_DIR}/tsan_built.tltrace" -- "${WORK_DIR}/tsan_built"
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
string(FIND "${err}" "is built with -fsanitize=thread" said)
string(FIND "${err}" "threadlens tsan --" advice)
if(NOT rc EQUAL 2 OR said EQUAL -1 OR advice EQUAL -1 OR EXISTS "${WORK_DIR}/tsan_built.tltrace")
  message(FATAL_ERROR "threadlens run of a TSan build: exit ${rc}, expected 2 and advice:\n${err}")
endif()

wrapper_build(${COMPILER} "build the program" -g -O1 "${source}" -o "${WORK_DIR}/tl_built")
execute_process(COMMAND ${THREADLENS} run -o "${WORK_DIR}/tl_built.tltrace" -- "${WORK_DIR}/tl_built"
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 0 OR NOT EXISTS "${WORK_DIR}/tl_built.tltrace")
  message(FATAL_ERROR "threadlens run of the threadlens-c++ build: exit ${rc}:\n${err}")
endif()
