// A task hands its exception to main through a promise it shares (a thread pool's task);
// main's future rethrows it, main reads it in its handler, leaves the handler and drops the
// future; the task then drops the promise, the last holder of the shared state, which frees
// the exception. Main held the exception only through the rethrow, whose reference the C++
// runtime drops at the end of the handler: that orders main's read before the free, so no
// race. (ThreadSanitizer reports two uses after free.)
// CHECK: no-race
// CHECK: exit 0
#include <atomic>
#include <cstdio>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

std::atomic<int> stage{0};  // relaxed: orders nothing

int main() {
  std::string seen;
  std::thread task;
  {
    auto shared = std::make_shared<std::promise<int>>();
    std::future<int> result = shared->get_future();
    task = std::thread([promise = std::move(shared)]() mutable {
      try {
        throw std::logic_error("the task failed");
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
      while (stage.load(std::memory_order_relaxed) != 1) std::this_thread::yield();
      promise.reset();  // the last holder: frees the exception
    });
    try {
      result.get();
    } catch (const std::exception& e) {
      seen = e.what();
    }
  }
  stage.store(1, std::memory_order_relaxed);
  task.join();
  std::printf("%s\n", seen.c_str());
  return seen == "the task failed" ? 0 : 1;
}
