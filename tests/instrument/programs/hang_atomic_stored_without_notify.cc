// The worker sets the flag main waits on with std::atomic::wait, but never calls
// notify_one: once main sleeps in its futex wait nothing wakes it. (The worker stores only
// after main waits, as a slow worker would.) The watchdog ends the program and the hang
// names the flag. (ThreadSanitizer, clang 14: hangs, no report.) Its twin is
// clean_atomic_wait_handoff.
// CHECK: exit 86
// CHECK: finding hang/futex on ready
// CHECK: no-race
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

std::atomic<int> ready{0};

int main() {
  std::thread worker([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ready.store(1);  // no ready.notify_one()
  });
  ready.wait(0);
  worker.join();
  std::puts("unreachable");
}
