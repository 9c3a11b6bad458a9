// The twin of clean_exit_flush_after_stream_unlock: the worker still holds the stream's lock
// when main exits. exit tries the lock twice and then flushes the stream underneath it, so
// its run of the write function races with the worker's.
// CHECK: exit 0
// CHECK: race log_state.written
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct Log {
  long written;
};
struct Log log_state;
FILE* log_stream;
atomic_int started;

static ssize_t LogWrite(void* c, const char* buf, size_t n) {
  struct Log* l = c;
  l->written += (long)n;  // RACE
  fwrite(buf, 1, n, stdout);
  return (ssize_t)n;
}

static void* Worker(void* arg) {
  (void)arg;
  flockfile(log_stream);
  fputs_unlocked("from the worker\n", log_stream);
  fflush_unlocked(log_stream);
  fputs_unlocked("held by the stream until exit\n", log_stream);
  atomic_store_explicit(&started, 1, memory_order_relaxed);
  for (;;) pause();
  return NULL;
}

int main(void) {
  cookie_io_functions_t io = {.write = LogWrite};
  log_stream = fopencookie(&log_state, "w", io);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_detach(t);
  while (!atomic_load_explicit(&started, memory_order_relaxed)) usleep(1000);
  exit(0);
}
