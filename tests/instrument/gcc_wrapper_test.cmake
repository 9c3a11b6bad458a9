# threadlens-c++ driving g++ (THREADLENS_CXX=g++). gcc has no -fno-sanitize-link-runtime, so
# its link asks for -ltsan, which the wrapper resolves to the threadlens runtime: the programs
# must not need TSan's own runtime (run outside threadlens, it would report and slow them).
# gcc's debug info places locals from the call frame address (DW_OP_call_frame_cfa), which the
# analyzer finds from the module's call frame information: the race on a worker's local
# struct is named by its field. The correct twin (join first) is compiled and linked in two
# steps, and has no race. gcc instruments `counter = counter + 1` as a read and then a write:
# the global counter's race is reported once, as with clang.
# Run: cmake -DGXX=... -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P gcc_wrapper_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(check_no_tsan prog)
  file(STRINGS "${prog}" needed REGEX "libtsan\\.so")
  if(needed)
    message(FATAL_ERROR "${prog} is linked against TSan's runtime (${needed})")
  endif()
endfunction()

function(analyze prog out)
  check_no_tsan("${prog}")
  trace_and_analyze("${prog}" report)
  set(${out} "${report}" PARENT_SCOPE)
endfunction()

set(race "${WORK_DIR}/race_worker_stack_struct")
wrapper_build(${GXX} "build ${race}" -g -O1
              "${SOURCE_DIR}/programs/race_worker_stack_struct.cc" -o "${race}")
analyze("${race}" report)
set(want "data race on local variable stats.misses of Worker() on T2's stack")
string(FIND "${report}" "${want}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the g++ build's race is not named `${want}`:\n${report}")
endif()

set(clean "${WORK_DIR}/clean_worker_stack_struct")
wrapper_build(${GXX} "compile ${clean}" -g -O1 -c
              "${SOURCE_DIR}/programs/clean_worker_stack_struct.cc" -o "${clean}.o")
wrapper_build(${GXX} "link ${clean}" "${clean}.o" -o "${clean}")
analyze("${clean}" report)
string(FIND "${report}" "data race" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the g++ build of the correct twin has a race:\n${report}")
endif()

set(counter "${WORK_DIR}/race_global_counter")
wrapper_build(${GXX} "build ${counter}" -g -O1
              "${SOURCE_DIR}/programs/race_global_counter.cc" -o "${counter}")
analyze("${counter}" report)
string(REGEX MATCHALL "ERROR: data race on counter:" races "${report}")
list(LENGTH races n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR
          "the g++ build's race on counter is reported ${n} times, not once:\n${report}")
endif()
