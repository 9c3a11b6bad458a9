// A realloc that fails leaves its block as it was: the owner goes on using it, another thread
// reads it after being created, and the block is freed once. No use after free, no double
// free. (The runtime records realloc's free before the real call, so a failed one records the
// block again, as allocated by it.)
// CHECK: no-race
// CHECK: no-misuse
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main() {
  char* block = static_cast<char*>(std::malloc(64));
  if (!block) return 1;
  block[0] = 1;
  // More than any allocator can give: ENOMEM, and `block` stays.
  volatile size_t huge = SIZE_MAX / 2;
  void* bigger = std::realloc(block, huge);
  block[1] = 2;
  int seen = 0;
  std::thread reader([&] { seen = block[0] + block[1]; });
  reader.join();
  std::printf("%d %d\n", bigger == nullptr, seen);
  std::free(block);
  return 0;
}
