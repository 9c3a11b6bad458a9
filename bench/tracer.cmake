# Cost of the tracer runtime per recorded event: traced vs untraced std::mutex lock+unlock,
# and one annotated shared-variable access. Run: build/bench/tracer_bench
add_executable(tracer_bench ${CMAKE_CURRENT_LIST_DIR}/tracer_bench.cc)
target_link_libraries(tracer_bench PRIVATE benchmark::benchmark threadlens::tracer
  threadlens::format ${CMAKE_DL_LIBS})
