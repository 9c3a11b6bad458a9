// One thread grows a block with realloc while another still writes into it, with nothing
// ordering the two: the realloc frees the old block (a write of all of it), so the write
// races with that free, a use after free by another thread.
// CHECK: race char[100] in heap block allocated at main race_realloc_old_block.cc:13
// CHECK: subkind use-after-free
#include <cstdio>
#include <cstdlib>
#include <thread>

char* shared_block;

int main() {
  shared_block = static_cast<char*>(std::malloc(4096));  // RACE
  if (!shared_block) return 1;
  char* old = shared_block;
  std::thread writer([old] { old[100] = 1; });  // RACE
  char* bigger = static_cast<char*>(std::realloc(shared_block, 1 << 20));  // RACE
  writer.join();
  std::printf("%d\n", bigger != nullptr);
  std::free(bigger);
}
