// The twin of clean_mmap_reuse: one thread reads a mapped region while another unmaps it,
// with nothing ordering the two (a relaxed flag only makes the read come first in time). An
// access racing the munmap is a use after free.
// CHECK: race *
// CHECK: subkind use-after-free
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <thread>

constexpr size_t kBytes = 1 << 16;
std::atomic<int> read_done{0};

int main() {
  void* m = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return 1;
  char* p = static_cast<char*>(m);
  p[100] = 1;
  int seen = 0;
  std::thread reader([&] {
    seen = p[100];  // RACE
    read_done.store(1, std::memory_order_relaxed);
  });
  std::thread unmapper([&] {
    while (!read_done.load(std::memory_order_relaxed)) {
    }
    munmap(p, kBytes);  // RACE
  });
  reader.join();
  unmapper.join();
  std::printf("%d\n", seen);
}
