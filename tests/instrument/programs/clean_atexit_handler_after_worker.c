// A worker fills in a report, then registers an atexit handler that prints it (and the same
// with an on_exit handler), and stays blocked. main sees a relaxed flag (which orders
// nothing) and exits; the handlers run in main at exit. Registering the handler happens before it runs (the C library orders the
// two with a lock of its own), so the handler's read is ordered after the worker's write.
// Its twin is race_atexit_handler_before_write. (ThreadSanitizer, clang 14, agrees;
// threadlens reported a race here before it saw handler registrations.)
// CHECK: exit 0
// CHECK: no-race
// CHECK: no-finding hang
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long report;
long lines;
atomic_int registered;

static void PrintReport(void) { printf("%ld\n", report); }
static void PrintLines(int status, void* arg) {
  (void)arg;
  printf("%d %ld\n", status, lines);
}

static void* Worker(void* arg) {
  (void)arg;
  report = 42;
  atexit(PrintReport);
  lines = 3;
  on_exit(PrintLines, NULL);
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
