// Two threads take two annotated futex mutexes (as absl::Mutex is built) in opposite orders,
// each waiting until the other holds its first: both sleep in the kernel for good. The wait
// inside the mutex's code blocks the thread on that mutex, so the watchdog sees the cycle,
// ends the program and the deadlock is reported. (ThreadSanitizer, clang 14: hangs with the
// program, no report: neither second lock is ever acquired.) Its twin is
// clean_annotated_futex_mutexes_in_order.
// CHECK: exit 86
// CHECK: finding deadlock
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

#include "annotated_futex_mutex.h"

FutexMutex accounts, audit_log;
std::atomic<int> holding{0};

void Take(FutexMutex& first, FutexMutex& second) {
  first.Lock();
  holding.fetch_add(1);
  while (holding.load() < 2) std::this_thread::yield();
  second.Lock();
  second.Unlock();
  first.Unlock();
}

int main() {
  std::thread transfer([] { Take(accounts, audit_log); });
  Take(audit_log, accounts);
  transfer.join();
  std::puts("unreachable");
}
