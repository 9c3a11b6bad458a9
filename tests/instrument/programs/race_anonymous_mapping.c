// Two threads write the second word of memory the program mapped itself (an anonymous
// mapping: an arena of its own allocator), with nothing ordering them. The race is named as
// anonymous memory and where it was mapped, not as a heap block; clean_anonymous_mapping is
// the twin under a mutex.
// CHECK: race long[1] in anonymous memory of 8192 bytes mapped at main race_anonymous_mapping.c:18
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>

static long* arena;

static void* Worker(void* arg) {
  arena[1] = (long)arg;  // RACE
  return NULL;
}

int main(void) {
  void* m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return 1;
  arena = m;
  pthread_t a, b;
  pthread_create(&a, NULL, Worker, (void*)1);
  pthread_create(&b, NULL, Worker, (void*)2);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", arena[1]);
  return munmap(m, 8192);
}
