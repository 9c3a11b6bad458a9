// The twin of clean_main_ends_with_pthread_exit: main sets the step only after it started
// the workers, so their reads of it race; the process still ends with status 0 when the
// last worker does.
// CHECK: exit 0
// CHECK: race step
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
long step;
long total;

static void PrintTotal(void) { printf("%ld\n", total); }

static void* Worker(void* arg) {
  (void)arg;
  usleep(50000);
  pthread_mutex_lock(&lock);
  total += step;  // RACE
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  atexit(PrintTotal);
  pthread_t t;
  for (int i = 0; i < 2; ++i) {
    pthread_create(&t, NULL, Worker, NULL);
    pthread_detach(t);
  }
  step = 21;  // RACE
  pthread_exit(NULL);
}
