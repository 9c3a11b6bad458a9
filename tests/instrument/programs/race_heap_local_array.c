/* Job blocks whose pointers main keeps in a local array it hands to a helper: each worker
   bumps a job's progress through an untyped pointer (a char * plus an offset), so only the
   allocation can say the type, and the debug info describes no variable there but the
   array. The name comes from the store of each pointer into its element of the local array.
   ThreadSanitizer reports the race as a heap block with an offset. */
// CHECK: race job::progress in heap block allocated at main race_heap_local_array.c:32
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
  int id;
  long progress;
};

static void *worker(void *arg) {
  long *p = (long *)((char *)arg + 8);
  *p += 1;  // RACE
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
