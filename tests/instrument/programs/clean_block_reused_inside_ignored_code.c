// A block is freed, and code the program tells the tool to ignore allocates the same memory
// again (the allocator hands it back at once). The new block is live: writing it later is no
// use after free. Its twin, race_use_after_free_own_thread, writes the freed block instead.
// CHECK: no-race
// CHECK: exit 0
#include <stdio.h>
#include <stdlib.h>

void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

int* volatile kept;  // keeps the compiler from eliding the allocations

int main(void) {
  int* first = malloc(48);
  kept = first;
  first[0] = 1;
  free(kept);
  __tsan_ignore_thread_begin();  // e.g. a library call whose accesses are not wanted
  kept = malloc(48);
  __tsan_ignore_thread_end();
  int* second = kept;
  if (second != first) {
    fprintf(stderr, "the allocator did not reuse the block\n");
    return 1;
  }
  second[0] = 2;
  printf("%d\n", second[0]);
  free(second);
  return 0;
}
