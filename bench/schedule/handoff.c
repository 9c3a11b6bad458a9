// Bench program: THREADS threads (default 4) each lock and unlock one shared mutex PAIRS
// times (default 100000). Its run time under `threadlens run` with and without a PCT schedule
// gives the schedule controller's cost per lock pair, hand-offs between threads included.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter, pairs;

static void* Work(void* arg) {
  (void)arg;
  for (long i = 0; i < pairs; ++i) {
    pthread_mutex_lock(&m);
    ++counter;
    pthread_mutex_unlock(&m);
  }
  return NULL;
}

int main(int argc, char** argv) {
  pairs = argc > 1 ? atol(argv[1]) : 100000;
  int threads = argc > 2 ? atoi(argv[2]) : 4;
  if (threads < 1 || threads > 64) threads = 4;
  pthread_t t[64];
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, Work, NULL);
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", counter);
  return 0;
}
