// The cost per synchronization event of the recording's shared sequence counter: the tracer
// takes every sync event's seq with one relaxed fetch_add, before on an atomic of the
// process, now on one in a memfd page mapped by every process of the tree
// (threadlens/recording.h). Variants: uncontended, and with a second taker (a thread of the
// same process on the private counter, a forked process on the shared one) running flat out.
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "threadlens/recording.h"

namespace {

using threadlens::trace::SharedRecording;

SharedRecording* MapShared() {
  int fd = static_cast<int>(syscall(SYS_memfd_create, "threadlens-bench", 0L));
  if (fd < 0 || ftruncate(fd, threadlens::trace::kRecordingBytes) != 0) return nullptr;
  void* p =
      mmap(nullptr, threadlens::trace::kRecordingBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  return p == MAP_FAILED ? nullptr : static_cast<SharedRecording*>(p);
}

alignas(64) std::atomic<uint64_t> g_private{0};

void BM_Seq_Private(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(g_private.fetch_add(1, std::memory_order_relaxed));
}
BENCHMARK(BM_Seq_Private);

void BM_Seq_Shared(benchmark::State& state) {
  SharedRecording* r = MapShared();
  if (!r) return state.SkipWithError("memfd");
  std::atomic<uint64_t>* seq = &r->seq;  // read once, as the runtime's g_seq pointer is
  for (auto _ : state) benchmark::DoNotOptimize(seq->fetch_add(1, std::memory_order_relaxed));
  munmap(r, threadlens::trace::kRecordingBytes);
}
BENCHMARK(BM_Seq_Shared);

// Another thread of the process takes numbers from the same private counter meanwhile.
void BM_Seq_Private_TwoThreads(benchmark::State& state) {
  std::atomic<bool> stop{false};
  std::thread other([&] {
    while (!stop.load(std::memory_order_relaxed)) g_private.fetch_add(1, std::memory_order_relaxed);
  });
  for (auto _ : state) benchmark::DoNotOptimize(g_private.fetch_add(1, std::memory_order_relaxed));
  stop = true;
  other.join();
}
BENCHMARK(BM_Seq_Private_TwoThreads)->UseRealTime();

// A forked process takes numbers from the shared counter meanwhile.
void BM_Seq_Shared_TwoProcesses(benchmark::State& state) {
  SharedRecording* r = MapShared();
  if (!r) return state.SkipWithError("memfd");
  r->live.store(1);  // the child runs while live is 1
  pid_t child = fork();
  if (child == 0) {
    while (r->live.load(std::memory_order_relaxed) == 1)
      r->seq.fetch_add(1, std::memory_order_relaxed);
    _exit(0);
  }
  std::atomic<uint64_t>* seq = &r->seq;
  for (auto _ : state) benchmark::DoNotOptimize(seq->fetch_add(1, std::memory_order_relaxed));
  r->live.store(0);
  waitpid(child, nullptr, 0);
  munmap(r, threadlens::trace::kRecordingBytes);
}
BENCHMARK(BM_Seq_Shared_TwoProcesses)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
