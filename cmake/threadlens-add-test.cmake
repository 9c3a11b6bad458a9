# threadlens_add_test(NAME <name> COMMAND <program> [args...]
#                     [FAIL_ON <kinds>] [SUPPRESSIONS <file>] [BASELINE <file>]
#                     [WATCHDOG <seconds>] [TIMEOUT <seconds>] [WORKING_DIRECTORY <dir>]
#                     [OUTPUT_DIRECTORY <dir>])
#
# Adds a ctest test that runs <program> under `threadlens run` (a deadlocked program is
# ended by the watchdog, and the test TIMEOUT backs that up, so ctest never hangs) and then
# gates the trace with `threadlens check`. The test fails when the program fails or when a
# finding fails the gate (by default: any error-severity finding). The trace, the HTML
# report, SARIF and JUnit go to OUTPUT_DIRECTORY (default: <build>/threadlens/<name>).
# <program> may be a target name.
set(_THREADLENS_RUN_TEST_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/threadlens-run-test.cmake")

function(threadlens_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
    "NAME;FAIL_ON;SUPPRESSIONS;BASELINE;WATCHDOG;TIMEOUT;WORKING_DIRECTORY;OUTPUT_DIRECTORY" "COMMAND")
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "threadlens_add_test: NAME and COMMAND are required")
  endif()
  if(TARGET threadlens::threadlens)
    set(cli "$<TARGET_FILE:threadlens::threadlens>")
  elseif(TARGET threadlens)
    set(cli "$<TARGET_FILE:threadlens>")
  else()
    message(FATAL_ERROR "threadlens_add_test: no threadlens command; call find_package(threadlens) first")
  endif()
  list(POP_FRONT arg_COMMAND program)
  if(TARGET ${program})
    set(program "$<TARGET_FILE:${program}>")
  endif()
  if(NOT arg_FAIL_ON)
    set(arg_FAIL_ON error)
  endif()
  if(NOT arg_WATCHDOG)
    set(arg_WATCHDOG 5)
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  if(NOT arg_OUTPUT_DIRECTORY)
    set(arg_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/threadlens/${arg_NAME}")
  endif()
  foreach(file SUPPRESSIONS BASELINE)
    if(arg_${file})
      get_filename_component(arg_${file} "${arg_${file}}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    endif()
  endforeach()

  # Arguments travel in a generated script rather than on the command line, so lists,
  # quotes and generator expressions survive as they are.
  set(args_code "")
  foreach(a IN LISTS arg_COMMAND)
    string(APPEND args_code "list(APPEND THREADLENS_ARGS [==[${a}]==])\n")
  endforeach()
  set(config "${CMAKE_CURRENT_BINARY_DIR}/threadlens/${arg_NAME}-$<CONFIG>.cmake")
  file(GENERATE OUTPUT "${config}" CONTENT
"set(THREADLENS_CLI [==[${cli}]==])
set(THREADLENS_PROGRAM [==[${program}]==])
set(THREADLENS_ARGS)
${args_code}set(THREADLENS_NAME [==[${arg_NAME}]==])
set(THREADLENS_FAIL_ON [==[${arg_FAIL_ON}]==])
set(THREADLENS_SUPPRESSIONS [==[${arg_SUPPRESSIONS}]==])
set(THREADLENS_BASELINE [==[${arg_BASELINE}]==])
set(THREADLENS_WATCHDOG [==[${arg_WATCHDOG}]==])
set(THREADLENS_TIMEOUT [==[${arg_TIMEOUT}]==])
set(THREADLENS_WORKING_DIRECTORY [==[${arg_WORKING_DIRECTORY}]==])
set(THREADLENS_OUTPUT_DIRECTORY [==[${arg_OUTPUT_DIRECTORY}]==])
")
  add_test(NAME ${arg_NAME}
           COMMAND ${CMAKE_COMMAND} "-DTHREADLENS_TEST_CONFIG=${config}" -P "${_THREADLENS_RUN_TEST_SCRIPT}")
  # Past the watchdog and the run's own timeout: the last line of defence against a hang.
  math(EXPR ctest_timeout "${arg_TIMEOUT} + 60")
  set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${ctest_timeout} LABELS threadlens)
endfunction()
