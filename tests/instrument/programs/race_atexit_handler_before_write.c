// The twin of clean_atexit_handler_after_worker: the worker registers the handler first and
// fills in the report after (and the same with an on_exit handler), so nothing orders the
// writes before the handlers' reads at exit.
// CHECK: exit 0
// CHECK: race report
// CHECK: race lines
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long report;
long lines;
atomic_int registered;

static void PrintReport(void) { printf("%ld\n", report); }  // RACE
static void PrintLines(int status, void* arg) {
  (void)arg;
  printf("%d %ld\n", status, lines);  // RACE
}

static void* Worker(void* arg) {
  (void)arg;
  atexit(PrintReport);
  on_exit(PrintLines, NULL);
  report = 42;  // RACE
  lines = 3;  // RACE
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
