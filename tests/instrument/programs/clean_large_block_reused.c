// Two 9 MiB blocks, filled and freed, then one 18 MiB block where both were; a worker the
// main thread starts afterwards writes the new block's far end. Before, an allocation or
// free covered a block's first 8 MiB only: the second old block's free was still on those
// bytes, and the worker's ordered write was called a use after free.
// CHECK: no-race
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMiB = 1 << 20 };
static char* block;
static size_t size;

static void* Worker(void* arg) {
  (void)arg;
  block[size - 1] = 1;
  block[10 * kMiB] = 2;
  return NULL;
}

int main(void) {
  // From the heap, not a mapping each: the new block takes the old ones' place.
  mallopt(M_MMAP_THRESHOLD, 64 * kMiB);
  mallopt(M_TRIM_THRESHOLD, 512 * kMiB);
  char* volatile a = malloc(9 * kMiB);
  char* volatile b = malloc(9 * kMiB);
  char* guard = malloc(64);
  memset(a, 1, 9 * kMiB);
  memset(b, 1, 9 * kMiB);
  free(b);
  free(a);
  size = 18 * kMiB;
  block = malloc(size);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_join(t, NULL);
  printf("%d %d\n", block[size - 1], block[10 * kMiB]);
  free(block);
  free(guard);
  return 0;
}
