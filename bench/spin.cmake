# Spin loops: a compare-exchange ping-pong built with the threadlens runtime and with clang's
# TSan, timed side by side with its trace size by spin/run_bench.sh:
#   cmake --build BUILD --target bench_spin
foreach(variant threadlens tsan)
  set(target bench_spin_cas_pingpong_${variant})
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/spin/cas_pingpong.cc)
  target_compile_options(${target} PRIVATE -O1 -g)
  target_link_libraries(${target} PRIVATE Threads::Threads)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_CURRENT_BINARY_DIR}/spin)
endforeach()
threadlens_instrument(bench_spin_cas_pingpong_threadlens)
target_compile_options(bench_spin_cas_pingpong_tsan PRIVATE -fsanitize=thread)
target_link_options(bench_spin_cas_pingpong_tsan PRIVATE -fsanitize=thread)

# An idle worker polling a queue under a mutex (bench/README.md: trace volume of lock polls).
add_executable(bench_spin_queue_poll ${CMAKE_CURRENT_LIST_DIR}/spin/queue_poll.cc)
target_compile_options(bench_spin_queue_poll PRIVATE -O1 -g)
target_link_libraries(bench_spin_queue_poll PRIVATE Threads::Threads)
set_target_properties(bench_spin_queue_poll PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      ${CMAKE_CURRENT_BINARY_DIR}/spin)
threadlens_instrument(bench_spin_queue_poll)

add_custom_target(bench_spin
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/spin/run_bench.sh $<TARGET_FILE:threadlens>
          ${CMAKE_CURRENT_BINARY_DIR}/spin
  DEPENDS bench_spin_cas_pingpong_threadlens bench_spin_cas_pingpong_tsan threadlens
          threadlens_preload
  USES_TERMINAL)
