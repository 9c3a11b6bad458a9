// exit writes out what a stream still holds after the last exit handler, on the exiting
// thread: a fopencookie stream's write function runs there, and it updates state a worker
// writes too, with nothing ordering the two (ThreadSanitizer reports it as well). The twin:
// clean_exit_flush_after_join.
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
atomic_int started;

static ssize_t LogWrite(void* c, const char* buf, size_t n) {
  struct Log* l = c;
  l->written += (long)n;  // RACE
  fwrite(buf, 1, n, stdout);
  return (ssize_t)n;
}

static void* Worker(void* arg) {
  (void)arg;
  log_state.written = 0;  // RACE
  atomic_store_explicit(&started, 1, memory_order_relaxed);
  for (;;) pause();
  return NULL;
}

int main(void) {
  cookie_io_functions_t io = {.write = LogWrite};
  FILE* f = fopencookie(&log_state, "w", io);
  fputs("held by the stream until exit\n", f);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_detach(t);
  while (!atomic_load_explicit(&started, memory_order_relaxed)) usleep(1000);
  exit(0);
}
