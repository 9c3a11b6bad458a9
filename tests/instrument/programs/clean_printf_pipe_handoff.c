// Two workers fill in a result each and then print a line: one with fprintf on an unbuffered
// stream over a pipe (stdio writes from inside the call, no flush follows), the other with
// dprintf on a pipe's descriptor. main's reads of the pipes return the lines, so its reads of
// the results are ordered after the writes: a printf call is a send on its stream's
// descriptor, as fwrite is. (ThreadSanitizer, clang 14, reports both.) Its twin is
// race_printf_pipe_handoff.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static FILE* unbuffered;
static int direct[2];
_Alignas(64) static long by_fprintf;
_Alignas(64) static long by_dprintf;

static void* StreamWorker(void* arg) {
  (void)arg;
  by_fprintf = 6 * 7;
  fprintf(unbuffered, "done %d\n", 1);
  return NULL;
}

static void* DescriptorWorker(void* arg) {
  (void)arg;
  by_dprintf = 1000;
  dprintf(direct[1], "done %d\n", 2);
  return NULL;
}

int main(void) {
  int stream_pipe[2];
  if (pipe(stream_pipe) != 0 || pipe(direct) != 0) return 1;
  unbuffered = fdopen(stream_pipe[1], "w");
  if (!unbuffered) return 1;
  setvbuf(unbuffered, NULL, _IONBF, 0);
  pthread_t a, b;
  pthread_create(&a, NULL, StreamWorker, NULL);
  pthread_create(&b, NULL, DescriptorWorker, NULL);
  char line[16];
  if (read(stream_pipe[0], line, 7) != 7) return 1;
  long first = by_fprintf;
  if (read(direct[0], line, 7) != 7) return 1;
  long second = by_dprintf;
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  fclose(unbuffered);
  printf("%ld %ld\n", first, second);
  return 0;
}
