# Copies autotools_project/ (autoreconf writes into its source tree), runs autoreconf, then
# configure with CC=threadlens-cc in a separate build directory and make; runs the program
# under `threadlens run` and checks the trace: no race in the correct run, a race on `hits`
# in the racy one.
# Inputs: -DCC -DTHREADLENS -DSOURCE_DIR -DWORK_DIR -DAUTORECONF -DMAKE
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/build")
file(COPY "${SOURCE_DIR}/" DESTINATION "${WORK_DIR}/src")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
                  WORKING_DIRECTORY "${WORK_DIR}/build")
  if(NOT rc EQUAL 0)
    set(log "")
    if(EXISTS "${WORK_DIR}/build/config.log")
      file(READ "${WORK_DIR}/build/config.log" log)
    endif()
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${log}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

step("autoreconf" "${AUTORECONF}" -fi "${WORK_DIR}/src")
step("configure with threadlens-cc" sh "${WORK_DIR}/src/configure" "CC=${CC}")
if(NOT last_output MATCHES "checking whether the C compiler works\\.\\.\\. yes")
  message(FATAL_ERROR "configure did not accept threadlens-cc:\n${last_output}")
endif()
if(NOT last_output MATCHES "checking for library containing pthread_create\\.\\.\\. (none required|-lpthread)")
  message(FATAL_ERROR "configure found no pthread_create:\n${last_output}")
endif()
step("make" "${MAKE}")
if(NOT last_output MATCHES "threadlens-cc")
  message(FATAL_ERROR "make did not build with threadlens-cc:\n${last_output}")
endif()

set(program "${WORK_DIR}/build/counter")
step("run clean" ${THREADLENS} run --trace "${WORK_DIR}/clean.tltrace" -- "${program}")
step("analyze clean" ${THREADLENS} analyze --format json "${WORK_DIR}/clean.tltrace")
if(last_output MATCHES "\"kind\": *\"race\"")
  message(FATAL_ERROR "the correct program has a race finding:\n${last_output}")
endif()
step("run racy" ${THREADLENS} run --trace "${WORK_DIR}/race.tltrace" -- "${program}" race)
step("analyze racy" ${THREADLENS} analyze "${WORK_DIR}/race.tltrace")
if(NOT last_output MATCHES "data race on hits")
  message(FATAL_ERROR "the racy program shows no race on `hits`:\n${last_output}")
endif()
