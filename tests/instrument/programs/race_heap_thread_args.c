/* The threading tutorials' argument blocks: main allocates one per worker, keeps the pointers
   in a local array and hands each to its thread, then writes one worker's sum while that
   worker adds to it. The block's type comes from the worker's typed pointer (`data`).
   ThreadSanitizer reports the race as a heap block with an offset. */
// CHECK: race thread_data::sum in heap block allocated at main race_heap_thread_args.c:27
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct thread_data {
  int id;
  long sum;
};

static void *worker(void *arg) {
  struct thread_data *data = (struct thread_data *)arg;
  for (int i = 0; i < 100; ++i) {
    data->sum += i;  // RACE
  }
  return NULL;
}

int main(void) {
  pthread_t t[2];
  struct thread_data *args[2];
  for (int i = 0; i < 2; ++i) {
    args[i] = malloc(sizeof(struct thread_data));
    args[i]->id = i;
    args[i]->sum = 0;
    pthread_create(&t[i], NULL, worker, args[i]);
  }
  args[0]->sum = 5;  // RACE
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %ld\n", args[0]->sum, args[1]->sum);
  return 0;
}
