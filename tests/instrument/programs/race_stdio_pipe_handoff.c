// The twin of clean_stdio_pipe_handoff: the worker fills in its result only after it sent
// the line, so main's read of it races.
// CHECK: race result
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

FILE* to_main;
long result;

static void* Worker(void* arg) {
  (void)arg;
  fprintf(to_main, "done\n");
  fflush(to_main);
  result = 6 * 7;  // RACE
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
  long seen = result;  // RACE
  pthread_join(t, NULL);
  fclose(to_main);
  fclose(from_worker);
  printf("%ld %s", seen, line);
  return 0;
}
