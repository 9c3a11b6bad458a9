# Names that need the machine code decoded, with and without Capstone: a slab-carved item is
# `item::hits` when the library loads; when it cannot (THREADLENS_CAPSTONE names a file that
# is not there), the block keeps its offset and the analysis says why.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P capstone_missing_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prog "${WORK_DIR}/slab_items")
set(warning "could not be loaded: fields only the machine code names are given as offsets")

wrapper_build(${COMPILER} "build the program" -g -O1 -x c
              "${SOURCE_DIR}/programs/race_heap_slab_items.c" -x none -o "${prog}")
trace_and_analyze("${prog}" loaded)
string(FIND "${loaded}" "data race on item::hits in heap block" named)
string(FIND "${loaded}" "${warning}" warned)
if(named EQUAL -1 OR NOT warned EQUAL -1)
  message(FATAL_ERROR "with Capstone: the item is not named, or a warning:\n${loaded}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E env THREADLENS_CAPSTONE=${WORK_DIR}/no-such-library.so
                        ${THREADLENS} analyze "${prog}.tltrace"
                OUTPUT_VARIABLE missing ERROR_QUIET)
string(FIND "${missing}" "item::hits" named)
string(FIND "${missing}" "${warning}" warned)
string(FIND "${missing}" "data race on heap block of 65536 bytes" offset)
if(NOT named EQUAL -1 OR warned EQUAL -1 OR offset EQUAL -1)
  message(FATAL_ERROR "without Capstone: a name it would have given, or no warning:\n${missing}")
endif()
