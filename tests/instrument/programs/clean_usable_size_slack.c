// A thread frees blocks of 24 bytes; main then (after a sleep, which orders nothing) asks
// for 20-byte blocks, gets the freed ones back, and writes all malloc_usable_size() bytes of
// each, slack included, as Redis's strings do. The allocator orders a block's reuse after
// its free, slack and all. ThreadSanitizer (clang 14) agrees: no race (its
// malloc_usable_size reports the 20 bytes asked for).
// CHECK: no-race
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 64
static void* blocks[N];

static void* Freer(void* arg) {
  (void)arg;
  for (int i = 0; i < N; ++i) free(blocks[i]);
  return NULL;
}

int main(void) {
  for (int i = 0; i < N; ++i) blocks[i] = malloc(24);
  pthread_t t;
  pthread_create(&t, NULL, Freer, NULL);
  usleep(100 * 1000);
  void* mine[N];
  size_t total = 0;
  for (int i = 0; i < N; ++i) {
    char* p = malloc(20);
    const size_t n = malloc_usable_size(p);
    memset(p, 'x', n);
    total += n;
    mine[i] = p;
  }
  pthread_join(t, NULL);
  for (int i = 0; i < N; ++i) free(mine[i]);
  printf("%d\n", total >= 20 * N);
  return 0;
}
