# A program rebuilt after its trace was recorded: its names would be another build's, so the
# analysis names nothing from it and warns; analyzed before the rebuild, the same trace is
# named in full and has no such warning.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P stale_program_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(source "${SOURCE_DIR}/data/rebuilt_counter.cc")
set(prog "${WORK_DIR}/rebuilt_counter")
set(warning "changed since the trace was recorded (its build id differs)")

wrapper_build(${COMPILER} "build the program" -g -O1 "${source}" -o "${prog}")
trace_and_analyze("${prog}" before)
string(FIND "${before}" "data race on counter:" named)
string(FIND "${before}" "${warning}" warned)
if(named EQUAL -1 OR NOT warned EQUAL -1)
  message(FATAL_ERROR "the program as traced: the race is not named, or a stale warning:\n${before}")
endif()

wrapper_build(${COMPILER} "rebuild the program" -g -O1 -DPAD "${source}" -o "${prog}")
execute_process(COMMAND ${THREADLENS} analyze "${prog}.tltrace" OUTPUT_VARIABLE after ERROR_QUIET)
string(FIND "${after}" "${warning}" warned)
string(FIND "${after}" "race on counter" named)
string(FIND "${after}" "Bump()" framed)
string(FIND "${after}" "data race on 0x" raw)
if(warned EQUAL -1 OR NOT named EQUAL -1 OR NOT framed EQUAL -1 OR raw EQUAL -1)
  message(FATAL_ERROR "the rebuilt program: no warning, or names from the new build:\n${after}")
endif()
