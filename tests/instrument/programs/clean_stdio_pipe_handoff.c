// A worker fills in a result, then writes a line to a stdio stream over a pipe and flushes
// it; main's fgets on the pipe's other end returns that line, so its read of the result is
// ordered after the write. stdio writes with a write(2) of its own, inside libc: a write
// call or flush on a stream counts as a send on its descriptor, a read that got data as a
// receive. (ThreadSanitizer, clang 14, reports a race here; so did threadlens before.) Its
// twin is race_stdio_pipe_handoff.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

FILE* to_main;
long result;

static void* Worker(void* arg) {
  (void)arg;
  result = 6 * 7;
  fprintf(to_main, "done\n");
  fflush(to_main);
  return NULL;
}

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  FILE* from_worker = fdopen(fds[0], "r");
  to_main = fdopen(fds[1], "w");
  if (!from_worker || !to_main) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  char line[16];
  if (!fgets(line, sizeof line, from_worker)) return 1;
  long seen = result;
  pthread_join(t, NULL);
  fclose(to_main);
  fclose(from_worker);
  printf("%ld %s", seen, line);
  return 0;
}
