/* A thread takes a page-aligned block from valloc, fills it and frees it; another then takes
 * one from pvalloc, which the allocator hands out at the same address, and writes it (eight
 * rounds). A relaxed flag only sequences the two in time; the allocator orders the free
 * before the new block, so the second thread's writes are to new memory. */
// CHECK: no-race
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int freed;
static void* _Atomic first;

static void* filler(void* arg) {
  (void)arg;
  char* p = valloc(4096);
  if (!p) return NULL;
  memset(p, 1, 4096);
  atomic_store_explicit(&first, p, memory_order_relaxed);
  free(p);
  atomic_store_explicit(&freed, 1, memory_order_relaxed);
  return NULL;
}

static void* reuser(void* arg) {
  (void)arg;
  while (!atomic_load_explicit(&freed, memory_order_relaxed)) {
  }
  char* p = pvalloc(4000);
  if (!p) return NULL;
  p[100] = 3;
  if ((void*)p == atomic_load_explicit(&first, memory_order_relaxed)) puts("same block");
  free(p);
  return NULL;
}

int main(void) {
  mallopt(M_ARENA_MAX, 1); /* one arena: the freed block is the next one handed out */
  for (int round = 0; round < 8; ++round) {
    atomic_store(&freed, 0);
    pthread_t a, b;
    pthread_create(&a, NULL, filler, NULL);
    pthread_create(&b, NULL, reuser, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
  }
  return 0;
}
