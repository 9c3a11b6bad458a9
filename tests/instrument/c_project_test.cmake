# Configures and builds c_project/ with CC=threadlens-cc, runs its program under
# `threadlens run` and checks the trace: no race in the correct run, a race in the racy one.
# Inputs: -DCC -DTHREADLENS -DSOURCE_DIR -DWORK_DIR -DGENERATOR
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

step("configure with threadlens-cc" ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/build"
     -G "${GENERATOR}" "-DCMAKE_C_COMPILER=${CC}")
if(NOT last_output MATCHES "Found Threads: TRUE")
  message(FATAL_ERROR "find_package(Threads) did not succeed:\n${last_output}")
endif()
step("build" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")

set(program "${WORK_DIR}/build/workers")
step("run clean" ${THREADLENS} run --trace "${WORK_DIR}/clean.tltrace" -- "${program}")
step("analyze clean" ${THREADLENS} analyze --format json "${WORK_DIR}/clean.tltrace")
if(last_output MATCHES "\"kind\": *\"race\"")
  message(FATAL_ERROR "the correct C program has a race finding:\n${last_output}")
endif()
step("run racy" ${THREADLENS} run --trace "${WORK_DIR}/race.tltrace" -- "${program}" race)
step("analyze racy" ${THREADLENS} analyze "${WORK_DIR}/race.tltrace")
if(NOT last_output MATCHES "data race on unlocked")
  message(FATAL_ERROR "the racy C program shows no race on `unlocked`:\n${last_output}")
endif()
