// The twin of race_realloc_old_block: each thread grows a block of its own with realloc,
// from 200 KiB to 3.2 MiB, filling it each time; no other thread touches it. (The frees
// realloc records are checked by the tracer test Realloc.AMovedBlockIsFreedWithTheSizeItHad.)
// CHECK: no-race
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

long Grow(int seed) {
  size_t size = 200 * 1024;
  char* block = static_cast<char*>(std::malloc(size));
  if (!block) return -1;
  std::memset(block, seed, size);
  for (int round = 0; round < 4; ++round) {
    size *= 2;
    char* bigger = static_cast<char*>(std::realloc(block, size));
    if (!bigger) break;
    block = bigger;
    std::memset(block + size / 2, seed + round, size / 2);
  }
  const long last = block[size - 1];
  std::free(block);
  return last;
}

int main() {
  long theirs = 0;
  std::thread worker([&] { theirs = Grow(1); });
  const long mine = Grow(7);
  worker.join();
  std::printf("%ld %ld\n", mine, theirs);
}
