// A worker writes byte 2000 of main's 4 KiB block; main frees the block once it sees,
// through a relaxed flag that orders nothing, that the worker is done: the free races with
// the write. ThreadSanitizer (clang 14) reports nothing here: its free marks only a block's
// first KiB (it reports the same race at offset 1016).
// CHECK: race *
// CHECK: subkind use-after-free
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static char* block;
static atomic_int done;

static void* Worker(void* arg) {
  (void)arg;
  block[2000] = 1;  // RACE
  atomic_store_explicit(&done, 1, memory_order_relaxed);
  return NULL;
}

int main(void) {
  block = malloc(4096);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  while (!atomic_load_explicit(&done, memory_order_relaxed)) sched_yield();
  free(block);  // RACE
  pthread_join(t, NULL);
  printf("freed\n");
  return 0;
}
