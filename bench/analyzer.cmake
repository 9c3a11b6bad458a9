# Analyzer throughput on a 10-million-event synthetic trace (binary and STD text), and the
# seeded trace generator (also a command, for memory measurements at several lengths).
# Run: build/bench/analyzer_bench ; build/bench/trace_gen --binary t.tltrace --events N
add_library(threadlens_trace_gen STATIC ${CMAKE_CURRENT_LIST_DIR}/trace_gen.cc)
target_link_libraries(threadlens_trace_gen PUBLIC threadlens::analyzer)

add_executable(trace_gen ${CMAKE_CURRENT_LIST_DIR}/trace_gen_main.cc)
target_link_libraries(trace_gen PRIVATE threadlens_trace_gen)

add_executable(analyzer_bench ${CMAKE_CURRENT_LIST_DIR}/analyzer_bench.cc)
target_link_libraries(analyzer_bench PRIVATE threadlens_trace_gen benchmark::benchmark)
