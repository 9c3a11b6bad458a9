// Nested monitor lockout that did not happen this time: the Waiter waits on `ready` while
// holding `registry` (the wait releases only `queue`); the Notifier takes `registry` before
// it notifies. This run orders the Notifier's use of `registry` first, so it ends; with the
// Waiter first, the Notifier would block on `registry` and never notify.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

std::mutex registry;
std::mutex queue;
std::condition_variable ready;
bool waiting = false, done = false;
std::atomic<bool> registered{false};

int main() {
  std::thread notifier([] {
    { std::lock_guard<std::mutex> r(registry); }
    registered = true;
    for (;;) {
      std::lock_guard<std::mutex> q(queue);
      if (waiting) {  // set under `queue` just before the wait released it
        done = true;
        ready.notify_one();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::thread waiter([] {
    while (!registered) std::this_thread::yield();
    std::lock_guard<std::mutex> r(registry);
    std::unique_lock<std::mutex> q(queue);
    waiting = true;
    ready.wait(q, [] { return done; });
  });
  notifier.join();
  waiter.join();
  return 0;
}
