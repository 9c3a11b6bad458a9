# Analysis speed on a real program's trace: bench/analysis/block_cache.cc (instrumented) is
# recorded once, then `threadlens analyze` is timed with and without race detection, next to
# `cat` of the trace and the reader alone (read_trace). Run:
#   cmake --build BUILD --target bench_analysis     (or bench/analysis_speed.sh BUILD)
add_executable(bench_analysis_block_cache ${CMAKE_CURRENT_LIST_DIR}/analysis/block_cache.cc)
target_compile_options(bench_analysis_block_cache PRIVATE -O2 -g)
threadlens_instrument(bench_analysis_block_cache)
set_target_properties(bench_analysis_block_cache PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

add_executable(read_trace ${CMAKE_CURRENT_LIST_DIR}/analysis/read_trace.cc)
target_link_libraries(read_trace PRIVATE threadlens::analyzer)
set_target_properties(read_trace PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

add_custom_target(bench_analysis
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/analysis_speed.sh --no-build ${CMAKE_BINARY_DIR}
  DEPENDS threadlens bench_analysis_block_cache read_trace bench_timed
  USES_TERMINAL)

# Many short threads (a thread per request): bench/thread_churn.sh BUILD, or
#   cmake --build BUILD --target bench_thread_churn
add_executable(bench_analysis_thread_churn ${CMAKE_CURRENT_LIST_DIR}/analysis/thread_churn.cc)
target_compile_options(bench_analysis_thread_churn PRIVATE -O2 -g)
target_link_libraries(bench_analysis_thread_churn PRIVATE Threads::Threads)
threadlens_instrument(bench_analysis_thread_churn)
set_target_properties(bench_analysis_thread_churn PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

add_custom_target(bench_thread_churn
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/thread_churn.sh --no-build ${CMAKE_BINARY_DIR}
  DEPENDS threadlens bench_analysis_thread_churn bench_timed
  USES_TERMINAL)

# A child process per request, forked while the heap holds many blocks: bench/fork_churn.sh
# BUILD, or cmake --build BUILD --target bench_fork_churn
add_executable(bench_analysis_fork_churn ${CMAKE_CURRENT_LIST_DIR}/analysis/fork_churn.c)
target_compile_options(bench_analysis_fork_churn PRIVATE -O2 -g)
threadlens_instrument(bench_analysis_fork_churn)
set_target_properties(bench_analysis_fork_churn PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

add_custom_target(bench_fork_churn
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/fork_churn.sh --no-build ${CMAKE_BINARY_DIR}
  DEPENDS threadlens bench_analysis_fork_churn bench_timed
  USES_TERMINAL)

# Many small objects, built by one thread and used by two: the shadow of their lines.
# bench/task_graph.sh BUILD, or cmake --build BUILD --target bench_task_graph
add_executable(bench_analysis_task_graph ${CMAKE_CURRENT_LIST_DIR}/analysis/task_graph.cc)
target_compile_options(bench_analysis_task_graph PRIVATE -O2 -g)
target_link_libraries(bench_analysis_task_graph PRIVATE Threads::Threads)
threadlens_instrument(bench_analysis_task_graph)
set_target_properties(bench_analysis_task_graph PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

add_custom_target(bench_task_graph
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/task_graph.sh --no-build ${CMAKE_BINARY_DIR}
  DEPENDS threadlens bench_analysis_task_graph bench_timed
  USES_TERMINAL)

# Many locks in objects allocated at one site: naming them (bench/many_locks.sh BUILD).
add_executable(bench_analysis_many_locks ${CMAKE_CURRENT_LIST_DIR}/analysis/many_locks.cc)
target_compile_options(bench_analysis_many_locks PRIVATE -O1 -g)
target_link_libraries(bench_analysis_many_locks PRIVATE Threads::Threads)
threadlens_instrument(bench_analysis_many_locks)
set_target_properties(bench_analysis_many_locks PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

# The bench scripts' timer: wall time and peak memory of one command (bench/timed.cc).
add_executable(bench_timed ${CMAKE_CURRENT_LIST_DIR}/timed.cc)
set_target_properties(bench_timed PROPERTIES OUTPUT_NAME timed)
