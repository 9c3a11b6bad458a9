# Two plugins loaded and unloaded by two threads with nothing of the program's own ordering
# them: the second may be mapped where the first was, and its globals are new memory for it
# (the loader orders a dlclose before a later dlopen). The twin writes a note after the
# first dlclose and reads it after the second dlopen: that race is still reported.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P dlopen_reload_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(loader "${WORK_DIR}/plugin_reload")
foreach(name a b)
  wrapper_build(${COMPILER} "build plugin ${name}" -g -O1 -shared -fPIC
                "${SOURCE_DIR}/data/plugin_counter.cc" -o "${WORK_DIR}/libplugin_${name}.so")
endforeach()
wrapper_build(${COMPILER} "build the loader" -g -O1 "${SOURCE_DIR}/data/plugin_reload.cc"
              -o "${loader}" -ldl -pthread)

foreach(mode clean late-note)
  execute_process(COMMAND ${THREADLENS} run -o "${WORK_DIR}/${mode}.tltrace" -- "${loader}"
                          "${WORK_DIR}/libplugin_a.so" "${WORK_DIR}/libplugin_b.so" ${mode}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE log)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^2 2 ")
    message(FATAL_ERROR "threadlens run of the loader (${mode}) failed (${rc}):\n${out}${log}")
  endif()
  execute_process(COMMAND ${THREADLENS} analyze "${WORK_DIR}/${mode}.tltrace"
                  OUTPUT_VARIABLE report ERROR_VARIABLE log)
  if(mode STREQUAL "clean")
    string(FIND "${report}" "SUMMARY: 0 race," at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the plugins reloaded by two threads race:\n${report}")
    endif()
  else()
    foreach(want "SUMMARY: 1 race," "data race on (anonymous namespace)::note")
      string(FIND "${report}" "${want}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "no `${want}` in the report of the late note:\n${report}")
      endif()
    endforeach()
  endif()
endforeach()
