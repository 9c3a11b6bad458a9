// Atomic accesses of different sizes on overlapping bytes do not race: a 64-bit atomic
// word and an atomic load of its low 32 bits (through std::atomic_ref).
// CHECK: no-race
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <thread>

alignas(8) uint64_t word = 0;

int main() {
  std::thread worker([] {
    std::atomic_ref<uint64_t> w(word);
    for (int i = 0; i < 100; ++i) w.fetch_add(1, std::memory_order_relaxed);
  });
  std::atomic_ref<uint32_t> low(*reinterpret_cast<uint32_t*>(&word));
  uint32_t seen = low.load(std::memory_order_relaxed);
  worker.join();
  std::printf("%u\n", seen);
}
