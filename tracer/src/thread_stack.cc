// kThreadStack: the bounds of a thread's stack from pthread_getattr_np, recorded by the
// thread itself. The lookup allocates (glibc copies the thread's CPU affinity, and reads
// /proc/self/maps for the main thread), so it runs with the re-entrancy guard up: neither
// those allocations nor the file reads reach the trace.
#include "thread_stack.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>

namespace threadlens::rt {

void RecordOwnStack(ThreadState* ts) {
  if (!ts || ts->in_runtime) return;
  ts->in_runtime = true;
  void* lo = nullptr;
  size_t size = 0;
  pthread_attr_t attr;
  bool found = false;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    found = pthread_attr_getstack(&attr, &lo, &size) == 0 && lo && size;
    pthread_attr_destroy(&attr);
  }
  ts->in_runtime = false;
  if (found) {
    EmitTo(ts, trace::EventKind::kThreadStack, 0, 0, 0, reinterpret_cast<uintptr_t>(lo), 0, size);
  }
}

void RecordMainStackOnce(ThreadState* ts) {
  static std::atomic<bool> recorded{false};
  if (gettid() != getpid() || recorded.exchange(true, std::memory_order_relaxed)) return;
  RecordOwnStack(ts);
}

}  // namespace threadlens::rt
