// The twin of hang_annotated_lock_when_never_true: the worker sets the flag under the mutex,
// so main's conditional acquisition returns once it has; main then reads what the worker
// wrote. No hang, no race.
// CHECK: exit 0
// CHECK: no-finding hang
// CHECK: no-race
#include <chrono>
#include <cstdio>
#include <thread>

#include "annotated_futex_mutex.h"

FutexMutex config_mu;
bool loaded;
int config_value;

int main() {
  std::thread loader([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    config_mu.Lock();
    config_value = 42;
    loaded = true;
    config_mu.Unlock();
  });
  config_mu.LockWhen([] { return loaded; });
  std::printf("%d\n", config_value);
  config_mu.Unlock();
  loader.join();
}
