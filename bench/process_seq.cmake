# The sequence counter shared by a recording's processes: the cost of one number from a
# process's own counter vs from the counter in a shared memfd page, alone and with another
# process (or thread) taking numbers at the same time. Run: build/bench/process_seq_bench
add_executable(process_seq_bench ${CMAKE_CURRENT_LIST_DIR}/process_seq_bench.cc)
target_link_libraries(process_seq_bench PRIVATE benchmark::benchmark threadlens::format
  Threads::Threads)
