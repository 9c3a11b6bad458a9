// The twin of race_exit_flush_writes_cookie_stream: main joins the worker before it exits,
// so the worker's write happens before the write function exit's flush runs.
// CHECK: exit 0
// CHECK: no-race
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct Log {
  long written;
};
struct Log log_state;

static ssize_t LogWrite(void* c, const char* buf, size_t n) {
  struct Log* l = c;
  l->written += (long)n;
  fwrite(buf, 1, n, stdout);
  return (ssize_t)n;
}

static void* Worker(void* arg) {
  (void)arg;
  log_state.written = 0;
  return NULL;
}

int main(void) {
  cookie_io_functions_t io = {.write = LogWrite};
  FILE* f = fopencookie(&log_state, "w", io);
  fputs("held by the stream until exit\n", f);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_join(t, NULL);
  exit(0);
}
