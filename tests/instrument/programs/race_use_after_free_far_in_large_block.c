// A worker writes the far end of main's 18 MiB block after main freed it, ordered by a
// mutex-protected flag: a use after free, 12 MiB into the block, where an allocation's and
// a free's cells used to stop at 8 MiB (past 8 MiB, a free covers the pages some access
// touched: main wrote a byte of each). ThreadSanitizer (clang 14) reports nothing: its
// free marks only a block's first KiB.
// CHECK: race *
// CHECK: subkind use-after-free
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { kMiB = 1 << 20 };
static char* block;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int freed;

static void* Worker(void* arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    const int done = freed;
    pthread_mutex_unlock(&lock);
    if (done) break;
  }
  block[12 * kMiB] = 2;  // RACE
  return NULL;
}

int main(void) {
  // From the heap, kept there after the free (a mapping would be unmapped).
  mallopt(M_MMAP_THRESHOLD, 64 * kMiB);
  mallopt(M_TRIM_THRESHOLD, 512 * kMiB);
  block = malloc(18 * kMiB);
  char* guard = malloc(64);
  for (size_t i = 0; i < 18 * kMiB; i += 4096) block[i] = 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  free(block);  // RACE
  pthread_mutex_lock(&lock);
  freed = 1;
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);
  free(guard);
  printf("done\n");
  return 0;
}
