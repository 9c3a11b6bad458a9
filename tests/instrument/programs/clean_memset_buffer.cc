// Two threads clear the same heap buffer with memset, each under the same lock.
// CHECK: no-race
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

std::mutex block_mutex;

int main(int argc, char**) {
  size_t n = 512 + static_cast<size_t>(argc - 1);
  auto* block = static_cast<char*>(std::malloc(n));
  std::thread worker([block, n] {
    std::lock_guard<std::mutex> lock(block_mutex);
    std::memset(block, 1, n);
  });
  {
    std::lock_guard<std::mutex> lock(block_mutex);
    std::memset(block, 2, n);
  }
  worker.join();
  std::printf("%d\n", block[0]);
  std::free(block);
}
