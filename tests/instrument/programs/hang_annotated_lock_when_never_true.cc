// Main waits with a conditional acquisition (as absl::Mutex::LockWhen and absl::Notification
// do) for a flag the worker never sets: it locks and unlocks the mutex and ends. Main sleeps
// inside the lock's acquisition on a mutex nobody holds; the watchdog ends the program and
// the hang says the condition never became true. (ThreadSanitizer, clang 14: hangs, no
// report.) Its twin is clean_annotated_lock_when_ready.
// CHECK: exit 86
// CHECK: finding hang/condition on config_mu.word_
// CHECK: no-race
#include <cstdio>
#include <thread>

#include "annotated_futex_mutex.h"

FutexMutex config_mu;
bool loaded;

int main() {
  std::thread loader([] {
    config_mu.Lock();
    // forgets: loaded = true;
    config_mu.Unlock();
  });
  config_mu.LockWhen([] { return loaded; });
  config_mu.Unlock();
  loader.join();
  std::puts("unreachable");
}
