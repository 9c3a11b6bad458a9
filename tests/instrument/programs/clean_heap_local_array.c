/* The twin of race_heap_local_array: the same jobs in the same local array, each worker
   bumping the progress under a mutex. ThreadSanitizer (clang 14) agrees: no race. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
  int id;
  long progress;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  long *p = (long *)((char *)arg + 8);
  pthread_mutex_lock(&mu);
  *p += 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

__attribute__((noinline)) static void run_all(struct job **jobs, int n) {
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, worker, jobs[0]);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  (void)n;
}

int main(void) {
  struct job *jobs[4];
  for (int i = 0; i < 4; ++i) {
    jobs[i] = malloc(sizeof(struct job));
    jobs[i]->id = i;
    jobs[i]->progress = 0;
  }
  run_all(jobs, 4);
  printf("%ld\n", jobs[0]->progress);
  return 0;
}
