# A program built with g++'s ThreadSanitizer instrumentation and linked against the threadlens
# runtime: gcc's debug info places locals from the call frame address (DW_OP_call_frame_cfa),
# which the analyzer finds from the module's call frame information. The race on a worker's
# local struct is named by its field; the twin with the join first has no race.
# Run: cmake -DGXX=... -DTHREADLENS=... -DRUNTIME_DIR=... -DALLOC_LIB=... -DSOURCE_DIR=...
#            -DWORK_DIR=... -P gcc_locals_test.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(build_and_analyze name out)
  set(prog "${WORK_DIR}/${name}")
  execute_process(
    COMMAND ${GXX} -fsanitize=thread -g -O1 -c "${SOURCE_DIR}/programs/${name}.cc" -o "${prog}.o"
    RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "g++ could not compile ${name}:\n${log}")
  endif()
  # Linked without -fsanitize=thread: the threadlens runtime provides the __tsan_* calls.
  execute_process(
    COMMAND ${GXX} "${prog}.o" -o "${prog}" -Wl,-u,malloc -Wl,-u,_Znwm "${ALLOC_LIB}"
            -L${RUNTIME_DIR} -Wl,-rpath,${RUNTIME_DIR} -lthreadlens_preload -pthread
    RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "g++ could not link ${name}:\n${log}")
  endif()
  execute_process(COMMAND ${THREADLENS} run -o "${prog}.tltrace" -- "${prog}"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "threadlens run ${name} failed (${rc}):\n${log}")
  endif()
  execute_process(COMMAND ${THREADLENS} analyze "${prog}.tltrace"
                  OUTPUT_VARIABLE report ERROR_VARIABLE log)
  set(${out} "${report}" PARENT_SCOPE)
endfunction()

build_and_analyze(race_worker_stack_struct report)
set(want "data race on local variable stats.misses of Worker() on T2's stack")
string(FIND "${report}" "${want}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the g++ build's race is not named `${want}`:\n${report}")
endif()

build_and_analyze(clean_worker_stack_struct report)
string(FIND "${report}" "data race" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the g++ build of the correct twin has a race:\n${report}")
endif()
