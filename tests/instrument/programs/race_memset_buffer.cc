// Two threads clear the same heap buffer with memset, with no lock between them.
// CHECK: race *
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

int main(int argc, char**) {
  size_t n = 512 + static_cast<size_t>(argc - 1);
  auto* block = static_cast<char*>(std::malloc(n));
  std::thread worker([block, n] {
    std::memset(block, 1, n);  // RACE
  });
  std::memset(block, 2, n);  // RACE
  worker.join();
  std::printf("%d\n", block[0]);
  std::free(block);
}
