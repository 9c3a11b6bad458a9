# Installs the build into a fresh prefix, builds the consumer project in package/ against
# it, and runs its ctest: the counter test passes, the lock-order test fails, suppressing or
# narrowing --fail-on makes it pass, the deadlocking test fails without hanging, and a
# program built with the installed threadlens_instrument() and its clang plugin shows a race
# on a local that only the plugin makes visible.
# Inputs: -DBINARY_DIR -DSOURCE_DIR -DWORK_DIR -DCXX -DGENERATOR
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
endfunction()

step("install" ${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${WORK_DIR}/prefix")
foreach(f bin/threadlens lib/cmake/threadlens/threadlensConfig.cmake
          lib/cmake/threadlens/threadlensTargets.cmake lib/cmake/threadlens/threadlens-add-test.cmake)
  if(NOT EXISTS "${WORK_DIR}/prefix/${f}")
    message(FATAL_ERROR "install did not write ${f}")
  endif()
endforeach()
step("configure consumer" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/reports/package" -B "${WORK_DIR}/build"
     -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
step("build consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")

function(expect_test name expected)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir "${WORK_DIR}/build" -R "^${name}$" --output-on-failure
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s")
  math(EXPR seconds "${t1} - ${t0}")
  if(NOT out MATCHES "1 tests? failed|100% tests passed")
    message(FATAL_ERROR "ctest did not run ${name}:\n${out}")
  endif()
  if(expected STREQUAL "pass" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} should pass:\n${out}")
  elseif(expected STREQUAL "fail" AND rc EQUAL 0)
    message(FATAL_ERROR "${name} should fail:\n${out}")
  endif()
  message(STATUS "${name}: ${expected}ed as expected in ${seconds} s")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

expect_test(counter pass)
expect_test(abba fail)
if(NOT last_output MATCHES "lock-order")
  message(FATAL_ERROR "the failing test's output does not name the finding:\n${last_output}")
endif()
if(NOT EXISTS "${WORK_DIR}/build/threadlens/abba/report.html" OR NOT EXISTS "${WORK_DIR}/build/threadlens/abba/abba.sarif")
  message(FATAL_ERROR "threadlens_add_test wrote no HTML report / SARIF")
endif()
expect_test(abba_suppressed pass)
expect_test(abba_races_only pass)
expect_test(deadlock fail)
# The plugin, when this build made one: the installed threadlens_instrument() loads it.
if(EXISTS "${BINARY_DIR}/tracer/instrument/libthreadlens_locals_pass.so")
  if(NOT EXISTS "${WORK_DIR}/build/CMakeFiles/escaped_local.dir")
    message(FATAL_ERROR "the consumer did not build escaped_local with the installed plugin")
  endif()
  expect_test(escaped_local fail)
  if(NOT last_output MATCHES "race" OR NOT last_output MATCHES "table")
    message(FATAL_ERROR "the escaped local's race was not reported:\n${last_output}")
  endif()
endif()
