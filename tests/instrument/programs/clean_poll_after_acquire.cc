// A reader polls a published value: each round an acquire load, then a read of the data.
// The reader releases nothing between the reads, so only its first read reaches the trace;
// the publication still orders it after the writer.
// CHECK: no-race
// CHECK: exit 0
#include <atomic>
#include <cstdio>
#include <thread>

std::atomic<int> ready{0};
long data = 0;
long total = 0;

int main() {
  std::thread writer([] {
    data = 42;
    ready.store(1, std::memory_order_release);
  });
  std::thread reader([] {
    long sum = 0;
    for (int i = 0; i < 1000; ++i) {
      while (!ready.load(std::memory_order_acquire)) {
      }
      sum += data;
    }
    total = sum;
  });
  writer.join();
  reader.join();
  std::printf("%ld\n", total);
  return total == 42000 ? 0 : 1;
}
