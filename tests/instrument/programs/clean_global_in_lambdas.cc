// The correct twin of race_global_in_lambdas: the lambdas add to the global under a mutex.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <thread>

static long hits;
static std::mutex hits_lock;

template <typename T>
void Add(T& total) {
  std::thread a([&total] {
    for (int i = 0; i < 1000; ++i) {
      std::lock_guard<std::mutex> hold(hits_lock);
      total = total + 1;
    }
  });
  std::thread b([&total] {
    for (int i = 0; i < 1000; ++i) {
      std::lock_guard<std::mutex> hold(hits_lock);
      total = total + 2;
    }
  });
  a.join();
  b.join();
}

int main() {
  Add(hits);
  std::printf("%ld\n", hits);
  return 0;
}
