# Runs one threadlens_add_test() test (cmake -P): the program under `threadlens run`, then
# `threadlens check` on its trace. Fails (exit 1) on a finding that fails the gate, a
# program that failed, or a run that had to be killed.
include("${THREADLENS_TEST_CONFIG}")

set(out "${THREADLENS_OUTPUT_DIRECTORY}")
file(MAKE_DIRECTORY "${out}")
set(trace "${out}/${THREADLENS_NAME}.tltrace")
file(REMOVE "${trace}")

execute_process(
  COMMAND "${THREADLENS_CLI}" run --trace "${trace}" --watchdog "${THREADLENS_WATCHDOG}"
          -- "${THREADLENS_PROGRAM}" ${THREADLENS_ARGS}
  WORKING_DIRECTORY "${THREADLENS_WORKING_DIRECTORY}"
  TIMEOUT "${THREADLENS_TIMEOUT}"
  RESULT_VARIABLE run_result)

# 86: the watchdog ended a blocked program; its trace says why, so check still runs.
set(kWatchdogExit 86)
if(NOT run_result MATCHES "^[0-9]+$")
  message(FATAL_ERROR "threadlens: ${THREADLENS_NAME}: ${run_result} (after ${THREADLENS_TIMEOUT} s)")
endif()
if(NOT EXISTS "${trace}")
  message(FATAL_ERROR "threadlens: ${THREADLENS_NAME}: no trace was written (exit ${run_result})")
endif()

set(check_args --fail-on "${THREADLENS_FAIL_ON}"
  --html "${out}/report.html" --sarif "${out}/${THREADLENS_NAME}.sarif"
  --junit "${out}/${THREADLENS_NAME}.junit.xml" --json "${out}/${THREADLENS_NAME}.json")
if(THREADLENS_SUPPRESSIONS)
  list(APPEND check_args --suppressions "${THREADLENS_SUPPRESSIONS}")
endif()
if(THREADLENS_BASELINE)
  list(APPEND check_args --baseline "${THREADLENS_BASELINE}")
endif()
execute_process(COMMAND "${THREADLENS_CLI}" check ${check_args} "${trace}"
                TIMEOUT "${THREADLENS_TIMEOUT}" RESULT_VARIABLE check_result)

if(check_result STREQUAL "1")
  message(FATAL_ERROR "threadlens: ${THREADLENS_NAME}: concurrency findings fail the gate; "
                      "report: ${out}/report.html")
elseif(NOT check_result STREQUAL "0")
  message(FATAL_ERROR "threadlens: ${THREADLENS_NAME}: check could not run (exit ${check_result})")
endif()
if(run_result EQUAL kWatchdogExit)
  message(FATAL_ERROR "threadlens: ${THREADLENS_NAME}: the watchdog ended the program (blocked)")
elseif(NOT run_result EQUAL 0)
  message(FATAL_ERROR "threadlens: ${THREADLENS_NAME}: the program exited with ${run_result}")
endif()
