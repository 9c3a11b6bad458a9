// A detached worker waits on a std::atomic for work that never comes; main lets it reach its
// futex wait, then returns. The program ends on its own, so the waiting worker was idle, not
// hung: no hang, and a note says it was still waiting. The twin of
// hang_atomic_stored_without_notify.
// CHECK: exit 0
// CHECK: no-finding hang
// CHECK: note was still waiting on work when the program exited
// CHECK: no-race
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

std::atomic<int> started{0};
std::atomic<int> work{0};

int main() {
  std::thread([] {
    started.store(1);
    started.notify_one();
    work.wait(0);
    std::puts("never");
  }).detach();
  started.wait(0);
  // Past the wait's short spin, into the futex.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::puts("done");
}
