// The twin of clean_future_exception_freed_by_task: main keeps a pointer to the exception
// past its handler and reads through it again; the task, which nothing orders after that
// read, then drops the last holder of the shared state, which frees the exception: a use
// after free that nothing orders.
// CHECK: race Failure::code in heap block allocated at main::$_0::operator()() race_future_exception_read_after_handler.cc:30
// CHECK: subkind use-after-free
// CHECK: exit 0
#include <atomic>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <thread>

struct Failure : std::exception {
  explicit Failure(long c) : code(c) {}
  long code;
};

std::atomic<int> stage{0};  // relaxed: orders nothing

int main() {
  long first = 0;
  std::thread task;
  const Failure* kept = nullptr;
  {
    auto shared = std::make_shared<std::promise<int>>();
    std::future<int> result = shared->get_future();
    task = std::thread([promise = std::move(shared)]() mutable {
      promise->set_exception(std::make_exception_ptr(Failure(42)));
      while (stage.load(std::memory_order_relaxed) != 1) std::this_thread::yield();
      promise.reset();  // RACE (the last holder: frees the exception)
    });
    try {
      result.get();
    } catch (const Failure& f) {
      first = f.code;
      kept = &f;
    }
  }
  const long again = kept->code;  // RACE (still alive: the shared state holds it)
  stage.store(1, std::memory_order_relaxed);
  task.join();
  std::printf("%ld %ld\n", first, again);
  return first == 42 && again == 42 ? 0 : 1;
}
