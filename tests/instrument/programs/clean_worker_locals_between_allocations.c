// A worker fills a local byte by byte and reads it whole, 1000 rounds, each between a malloc
// and a free of its own. The heap block's write reaches the trace every round (each
// allocation makes the block anew), and so does the write of the global pointer to it; the
// local's accesses only in the first round, as the worker releases nothing and its stack
// holds no block.
// CHECK: no-race
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 1000

static unsigned long total;
static int* volatile last_block;  // keeps the compiler from eliding the allocations

static void* Worker(void* arg) {
  unsigned long sum = 0;
  for (int r = 0; r < ROUNDS; ++r) {
    int* block = malloc(sizeof *block);
    if (!block) return arg;
    last_block = block;
    *block = r;
    volatile union {
      unsigned char bytes[8];
      unsigned long word;
    } local;
    for (int i = 0; i < 8; ++i) local.bytes[i] = (unsigned char)i;
    sum += local.word + (unsigned long)*block;
    free(block);
  }
  total = sum;
  return arg;
}

int main(void) {
  pthread_t w;
  if (pthread_create(&w, NULL, Worker, NULL) != 0) return 1;
  pthread_join(w, NULL);
  printf("%lu\n", total);
  return 0;
}
