// kThreadStack: the bounds of a thread's stack from pthread_getattr_np, recorded by the
// thread itself; kThreadTls: where its thread-local storage of each module lies. The lookups
// allocate (glibc copies the thread's CPU affinity, and reads /proc/self/maps for the main
// thread), so they run with the re-entrancy guard up: neither those allocations nor the file
// reads reach the trace.
#include "thread_stack.h"

#include <link.h>
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
  // This thread's block of each module with thread-locals that has one yet (a module loaded
  // by dlopen gets its block at the first use of one of them: not seen here).
  struct Tls {
    uint64_t block, size, image;
  };
  struct Found {
    Tls tls[16];
    int count = 0;
  } blocks;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* f = static_cast<Found*>(data);
        if (!info->dlpi_tls_data || f->count == 16) return 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_TLS || ph.p_memsz == 0) continue;
          f->tls[f->count++] = {reinterpret_cast<uintptr_t>(info->dlpi_tls_data), ph.p_memsz,
                                info->dlpi_addr + ph.p_vaddr};
          break;
        }
        return 0;
      },
      &blocks);
  ts->in_runtime = false;
  if (found) {
    EmitTo(ts, trace::EventKind::kThreadStack, 0, 0, 0, reinterpret_cast<uintptr_t>(lo), 0, size);
  }
  for (int i = 0; i < blocks.count; ++i) {
    const Tls& t = blocks.tls[i];
    EmitTo(ts, trace::EventKind::kThreadTls, 0, 0, 0, t.block, t.image, t.size);
  }
}

namespace {
std::atomic<bool> g_main_stack_recorded{false};
}  // namespace

void RecordMainStackOnce(ThreadState* ts) {
  if (g_main_stack_recorded.load(std::memory_order_relaxed)) return;
  if (gettid() != getpid() || g_main_stack_recorded.exchange(true, std::memory_order_relaxed)) {
    return;
  }
  RecordOwnStack(ts);
}

void MainStackForked() { g_main_stack_recorded.store(false, std::memory_order_relaxed); }

}  // namespace threadlens::rt
