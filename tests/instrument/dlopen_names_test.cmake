# A library loaded with dlopen and unloaded with dlclose before the program exits: a race on
# its global is named for the global and the library's function, though the library is gone
# from the module map written at exit; its correct twin takes the library's mutex.
# Run: cmake -DCOMPILER=clang++ -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=... -DWORK_DIR=...
#            -P dlopen_names_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(plugin "${WORK_DIR}/libplugin_counter.so")
set(loader "${WORK_DIR}/plugin_loader")
wrapper_build(${COMPILER} "build the plugin" -g -O1 -shared -fPIC
              "${SOURCE_DIR}/data/plugin_counter.cc" -o "${plugin}")
wrapper_build(${COMPILER} "build the loader" -g -O1 "${SOURCE_DIR}/data/plugin_loader.cc"
              -o "${loader}" -ldl)

foreach(fn plugin_bump plugin_bump_locked)
  execute_process(COMMAND ${THREADLENS} run -o "${WORK_DIR}/${fn}.tltrace" -- "${loader}"
                          "${plugin}" ${fn}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE log)
  # The racy bump may lose updates (it printed 107 once); the locked one never does.
  if(fn STREQUAL "plugin_bump")
    set(want_out "^[0-9]+\n$")
  else()
    set(want_out "^200\n$")
  endif()
  if(NOT rc EQUAL 0 OR NOT out MATCHES "${want_out}")
    message(FATAL_ERROR "threadlens run of the loader (${fn}) failed (${rc}):\n${out}${log}")
  endif()
  execute_process(COMMAND ${THREADLENS} analyze "${WORK_DIR}/${fn}.tltrace"
                  OUTPUT_VARIABLE report ERROR_VARIABLE log)
  if(fn STREQUAL "plugin_bump")
    foreach(want "data race on plugin_counter:" "#0 plugin_bump at ")
      string(FIND "${report}" "${want}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "no `${want}` in the report:\n${report}")
      endif()
    endforeach()
  else()
    string(FIND "${report}" "SUMMARY: 0 race," at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the locked twin reports a race:\n${report}")
    endif()
  endif()
endforeach()
