// A counter updated atomically by a worker and read plainly (through a cast) by the main
// thread: an atomic access and a plain one on the same bytes race.
// CHECK: race *
#include <atomic>
#include <cstdio>
#include <thread>

std::atomic<long> hits{0};

int main() {
  std::thread worker([] {
    for (int i = 0; i < 100; ++i) hits.fetch_add(1, std::memory_order_relaxed);  // RACE
  });
  long snapshot = *reinterpret_cast<volatile long*>(&hits);  // RACE
  worker.join();
  std::printf("%ld %ld\n", snapshot, hits.load());
}
