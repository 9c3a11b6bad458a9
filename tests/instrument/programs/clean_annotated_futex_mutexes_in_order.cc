// The twin of deadlock_annotated_futex_mutexes: both threads take the two annotated futex
// mutexes in the same order, many times, so they contend and sleep in the kernel, yet
// never deadlock. No finding beyond contention; the watchdog stays silent.
// CHECK: exit 0
// CHECK: no-finding deadlock
// CHECK: no-finding hang
// CHECK: no-race
#include <cstdio>
#include <thread>

#include "annotated_futex_mutex.h"

FutexMutex accounts, audit_log;
long balance;

void Work() {
  for (int i = 0; i < 20000; ++i) {
    accounts.Lock();
    audit_log.Lock();
    ++balance;
    audit_log.Unlock();
    accounts.Unlock();
  }
}

int main() {
  std::thread other(Work);
  Work();
  other.join();
  std::printf("%ld\n", balance);
}
