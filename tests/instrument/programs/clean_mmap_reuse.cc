// A thread maps an anonymous region, fills it and unmaps it; another then maps one, which the
// kernel places at the same address, and writes it. Nothing the program does orders the two
// threads (a relaxed flag only sequences them in time), but the second region is new memory:
// the kernel finished the munmap before it handed the range out again.
// CHECK: no-race
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

constexpr size_t kBytes = 1 << 16;
std::atomic<int> unmapped{0};
std::atomic<void*> first{nullptr};

void* Map() {
  void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

int main() {
  std::thread a([] {
    char* p = static_cast<char*>(Map());
    if (!p) return;
    std::memset(p, 1, kBytes);
    first.store(p, std::memory_order_relaxed);
    munmap(p, kBytes);
    unmapped.store(1, std::memory_order_relaxed);
  });
  std::thread b([] {
    while (!unmapped.load(std::memory_order_relaxed)) {
    }
    char* p = static_cast<char*>(Map());
    if (!p) return;
    p[100] = 3;
    std::printf("%s\n", p == first.load(std::memory_order_relaxed) ? "same range" : "new range");
    munmap(p, kBytes);
  });
  a.join();
  b.join();
}
