// Tracer runtime overhead. The binary links the runtime and re-executes itself with tracing
// on (THREADLENS_TRACE; /dev/null unless THREADLENS_BENCH_TRACE names a file), so the traced
// and untraced variants run in one process: "untraced" calls glibc's pthread functions
// directly, bypassing the interceptors. Added cost per event = (traced - untraced) / events.
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "threadlens/threadlens.h"

namespace {

using LockFn = int (*)(pthread_mutex_t*);
LockFn real_lock, real_unlock;

void ResolveLibc() {
  void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  real_lock = reinterpret_cast<LockFn>(dlsym(libc, "pthread_mutex_lock"));
  real_unlock = reinterpret_cast<LockFn>(dlsym(libc, "pthread_mutex_unlock"));
}

// Baseline: the same mutex operations without the runtime in between.
void BM_MutexLockUnlock_Untraced(benchmark::State& state) {
  std::mutex m;
  auto* native = m.native_handle();
  for (auto _ : state) {
    real_lock(native);
    real_unlock(native);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MutexLockUnlock_Untraced);

// std::mutex through the interceptors, one mutex again and again: a poll through a lock, whose
// rounds after the second repeat it and are counted on it, not written (lock_rounds.cc).
void BM_MutexLockUnlock_Traced(benchmark::State& state) {
  if (!threadlens_enabled()) state.SkipWithError("tracing is off");
  std::mutex m;
  for (auto _ : state) {
    m.lock();
    m.unlock();
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MutexLockUnlock_Traced);

// Two mutexes in turn: each round (one, then the other) repeats the one before and is
// counted, not written: what the comparison of the two rounds costs.
void BM_TwoMutexesInTurn_Traced(benchmark::State& state) {
  if (!threadlens_enabled()) state.SkipWithError("tracing is off");
  std::mutex m[2];
  unsigned i = 0;
  for (auto _ : state) {
    std::mutex& x = m[i++ & 1];
    x.lock();
    x.unlock();
    benchmark::ClobberMemory();
  }
  state.counters["events"] = benchmark::Counter(2.0 * state.iterations());
}
BENCHMARK(BM_TwoMutexesInTurn_Traced);

int shared_value;

void BM_SharedWrite_Plain(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(shared_value = shared_value + 1);
  }
}
BENCHMARK(BM_SharedWrite_Plain);

// One annotated access: one write event.
void BM_SharedWrite_Annotated(benchmark::State& state) {
  if (!threadlens_enabled()) state.SkipWithError("tracing is off");
  for (auto _ : state) {
    threadlens_write(&shared_value, sizeof shared_value);
    benchmark::DoNotOptimize(shared_value = shared_value + 1);
  }
}
BENCHMARK(BM_SharedWrite_Annotated);

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("THREADLENS_TRACE")) {
    const char* out = std::getenv("THREADLENS_BENCH_TRACE");
    setenv("THREADLENS_TRACE", out ? out : "/dev/null", 1);
    execv("/proc/self/exe", argv);
    std::perror("tracer_bench: re-exec");
    return 1;
  }
  ResolveLibc();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
