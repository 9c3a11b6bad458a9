// The twin of clean_exception_ptr_freed_by_last_holder: main keeps a pointer to the
// exception past its own reference and reads the field through it after the worker dropped
// the last reference (the exception freed): a use after free that nothing orders.
// CHECK: race Failure::code in heap block allocated at main::$_0::operator()() const race_exception_ptr_read_after_last_holder.cc:24
// CHECK: subkind use-after-free
// CHECK: exit 0
#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

struct Failure : std::exception {
  explicit Failure(long c) : code(c) {}
  long code;
};

std::mutex mu;
std::exception_ptr handed;
std::atomic<int> stage{0};  // relaxed: orders nothing

int main() {
  std::thread worker([] {
    std::exception_ptr mine = std::make_exception_ptr(Failure(42));
    {
      std::lock_guard<std::mutex> lock(mu);
      handed = mine;
    }
    stage.store(1, std::memory_order_relaxed);
    while (stage.load(std::memory_order_relaxed) != 2) std::this_thread::yield();
    mine = nullptr;  // RACE (the last reference: frees the exception)
    stage.store(3, std::memory_order_relaxed);
  });
  while (stage.load(std::memory_order_relaxed) != 1) std::this_thread::yield();
  std::exception_ptr got;
  {
    std::lock_guard<std::mutex> lock(mu);
    got = std::move(handed);
  }
  const Failure* kept = nullptr;
  try {
    std::rethrow_exception(got);
  } catch (const Failure& f) {
    kept = &f;
  }
  got = nullptr;
  stage.store(2, std::memory_order_relaxed);
  while (stage.load(std::memory_order_relaxed) != 3) std::this_thread::yield();
  const long code = kept->code;  // RACE
  worker.join();
  std::printf("%d\n", code > 0 ? 1 : 0);
  return 0;
}
