// The twin of clean_usable_size_slack: a worker writes the slack of main's 20-byte block
// (its malloc_usable_size() bytes past the 20); main frees the block once it sees, through a
// relaxed flag that orders nothing, that the worker is done. The free races with the writes,
// which are named in the block (past its 20 bytes). Under ThreadSanitizer (clang 14)
// malloc_usable_size() gives the 20 bytes asked for: nothing is written, nothing reported.
// CHECK: race heap block of 20 bytes allocated at main race_usable_size_slack_after_free.c:28 (+20)
// CHECK: subkind use-after-free
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char* block;
static atomic_int done;

static void* Worker(void* arg) {
  (void)arg;
  const size_t n = malloc_usable_size(block);
  memset(block + 20, 'x', n - 20);  // RACE
  atomic_store_explicit(&done, 1, memory_order_relaxed);
  return NULL;
}

int main(void) {
  block = malloc(20);
  memset(block, 0, 20);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  while (!atomic_load_explicit(&done, memory_order_relaxed)) sched_yield();
  free(block);  // RACE
  pthread_join(t, NULL);
  printf("freed\n");
  return 0;
}
