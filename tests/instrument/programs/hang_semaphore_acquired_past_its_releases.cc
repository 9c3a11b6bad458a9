// A worker releases a std::counting_semaphore once; main acquires it twice. The second
// acquire waits on a futex forever: the watchdog ends the program and the hang names the
// semaphore. (ThreadSanitizer, clang 14: hangs, no report.) Its twin is
// clean_semaphore_handoff.
// CHECK: exit 86
// CHECK: finding hang/futex on slots
// CHECK: no-race
#include <cstdio>
#include <semaphore>
#include <thread>

std::counting_semaphore<4> slots(0);

int main() {
  std::thread worker([] { slots.release(); });
  slots.acquire();
  slots.acquire();
  worker.join();
  std::puts("unreachable");
}
