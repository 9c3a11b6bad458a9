// The twin of clean_atexit_handler_after_worker: the worker registers the handler first and
// fills in the report after, so nothing orders the write before the handler's read at exit.
// CHECK: exit 0
// CHECK: race report
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long report;
atomic_int registered;

static void PrintReport(void) { printf("%ld\n", report); }  // RACE

static void* Worker(void* arg) {
  (void)arg;
  atexit(PrintReport);
  report = 42;  // RACE
  atomic_store_explicit(&registered, 1, memory_order_relaxed);
  for (;;) pause();
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_detach(t);
  while (!atomic_load_explicit(&registered, memory_order_relaxed)) usleep(1000);
  exit(0);
}
