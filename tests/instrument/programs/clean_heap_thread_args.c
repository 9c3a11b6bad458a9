/* The twin of race_heap_thread_args: main writes the worker's sum only after joining it.
   ThreadSanitizer (clang 14) agrees: no race. */
// CHECK: no-race
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
    data->sum += i;
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
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  args[0]->sum = 5;
  printf("%ld %ld\n", args[0]->sum, args[1]->sum);
  return 0;
}
