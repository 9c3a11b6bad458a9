// The twin of race_anonymous_mapping: the two threads write the mapped memory under a mutex.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>

static long* arena;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void* Worker(void* arg) {
  pthread_mutex_lock(&mu);
  arena[1] = (long)arg;
  pthread_mutex_unlock(&mu);
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
