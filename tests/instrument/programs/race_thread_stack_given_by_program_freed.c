// The twin of clean_thread_stack_over_unmapped_memory: the program gives a thread a stack it
// allocated itself (pthread_attr_setstack) and frees the block while the thread runs on it.
// The thread's writes to its locals are uses of freed memory, ordered after the free by a
// semaphore: the stack is the freed block itself, not memory mapped anew, and the use is
// reported.
// CHECK: race local variable local[0] of Worker() on T2's stack
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

#define STACK (64 * 1024)
static sem_t freed;

static void* Worker(void* arg) {
  sem_wait(&freed);
  volatile int local[64];
  for (int i = 0; i < 64; i++) local[i] = i;  // RACE
  printf("%d\n", local[63]);
  return arg;
}

int main(void) {
  char* stack = malloc(STACK);
  char* guard = malloc(64);  // keeps the block off the heap's top when freed
  if (!stack || !guard) return 1;
  sem_init(&freed, 0, 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, stack, STACK);
  pthread_t w;
  pthread_create(&w, &attr, Worker, NULL);
  free(stack);  // RACE
  sem_post(&freed);
  pthread_join(w, NULL);
  free(guard);
  return 0;
}
