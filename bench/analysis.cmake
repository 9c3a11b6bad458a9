# Bench programs of the analysis: each instrumented program in bench/analysis/ is recorded by
# its script, which then times `threadlens analyze` on the recording. Run a script directly
# (bench/analysis_speed.sh BUILD) or through its target (cmake --build BUILD --target
# bench_analysis).

# The bench scripts' timer: wall time and peak memory of one command (bench/timed.cc).
add_executable(bench_timed ${CMAKE_CURRENT_LIST_DIR}/timed.cc)
set_target_properties(bench_timed PROPERTIES OUTPUT_NAME timed)

# bench_analysis_NAME from bench/analysis/SOURCE, instrumented, built at OPT into
# BUILD/bench/analysis. THREADS: it links the thread library. TARGET and SCRIPT: a target that
# runs bench/SCRIPT on it (DEPENDS: what else the script runs).
function(threadlens_analysis_bench name source opt)
  cmake_parse_arguments(PARSE_ARGV 3 B "THREADS" "TARGET;SCRIPT" "DEPENDS")
  set(program bench_analysis_${name})
  add_executable(${program} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/analysis/${source})
  target_compile_options(${program} PRIVATE ${opt} -g)
  if(B_THREADS)
    target_link_libraries(${program} PRIVATE Threads::Threads)
  endif()
  threadlens_instrument(${program})
  set_target_properties(${program} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_CURRENT_BINARY_DIR}/analysis)
  if(B_TARGET)
    add_custom_target(${B_TARGET}
      COMMAND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${B_SCRIPT} --no-build ${CMAKE_BINARY_DIR}
      DEPENDS threadlens ${program} bench_timed ${B_DEPENDS}
      USES_TERMINAL)
  endif()
endfunction()

# The reader alone, timed beside `cat` by analysis_speed.sh.
add_executable(read_trace ${CMAKE_CURRENT_LIST_DIR}/analysis/read_trace.cc)
target_link_libraries(read_trace PRIVATE threadlens::analyzer)
set_target_properties(read_trace PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/analysis)

# Analysis speed on a real program's shape: with and without race detection, beside `cat` of
# the trace and the reader alone.
threadlens_analysis_bench(block_cache block_cache.cc -O2
  TARGET bench_analysis SCRIPT analysis_speed.sh DEPENDS read_trace)
# Many short threads (a thread per request).
threadlens_analysis_bench(thread_churn thread_churn.cc -O2 THREADS
  TARGET bench_thread_churn SCRIPT thread_churn.sh)
# A child process per request, forked while the heap holds many blocks.
threadlens_analysis_bench(fork_churn fork_churn.c -O2
  TARGET bench_fork_churn SCRIPT fork_churn.sh)
# Many small objects, built by one thread and used by two: the shadow of their lines.
threadlens_analysis_bench(task_graph task_graph.cc -O2 THREADS
  TARGET bench_task_graph SCRIPT task_graph.sh)
# Many locks in objects allocated at one site: naming them (bench/many_locks.sh BUILD).
threadlens_analysis_bench(many_locks many_locks.cc -O1 THREADS)
