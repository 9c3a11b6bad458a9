// A worker hands an exception to main through a std::exception_ptr under a mutex; main
// rethrows it, reads the exception's field, and drops its reference; the worker, which
// nothing orders after main's drop, drops the last reference, which frees the exception.
// The reference count (an acq_rel atomic in the C++ runtime, not instrumented) orders main's
// read before that free: no race. (ThreadSanitizer reports one.)
// CHECK: no-race
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
    mine = nullptr;  // the last reference: frees the exception
  });
  while (stage.load(std::memory_order_relaxed) != 1) std::this_thread::yield();
  std::exception_ptr got;
  {
    std::lock_guard<std::mutex> lock(mu);
    got = std::move(handed);
  }
  long code = 0;
  try {
    std::rethrow_exception(got);
  } catch (const Failure& f) {
    code = f.code;
  }
  got = nullptr;
  stage.store(2, std::memory_order_relaxed);
  worker.join();
  std::printf("%ld\n", code);
  return code == 42 ? 0 : 1;
}
