# The PCT schedule controller's cost: a contended mutex hand-off program timed under
# `threadlens run` with the controller off and on by schedule/run_bench.sh:
#   cmake --build BUILD --target bench_schedule
add_executable(bench_schedule_handoff ${CMAKE_CURRENT_LIST_DIR}/schedule/handoff.c)
target_compile_options(bench_schedule_handoff PRIVATE -O2 -g)
target_link_libraries(bench_schedule_handoff PRIVATE Threads::Threads)
set_target_properties(bench_schedule_handoff PROPERTIES OUTPUT_NAME handoff
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/schedule)
add_custom_target(bench_schedule
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/schedule/run_bench.sh $<TARGET_FILE:threadlens>
          $<TARGET_FILE:bench_schedule_handoff>
  DEPENDS bench_schedule_handoff threadlens threadlens_preload
  USES_TERMINAL)
