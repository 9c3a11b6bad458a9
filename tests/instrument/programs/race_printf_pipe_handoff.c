// The twin of clean_printf_pipe_handoff: each worker fills in its result only after it
// printed the line, so main's reads of the results race.
// CHECK: race by_fprintf
// CHECK: race by_dprintf
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static FILE* unbuffered;
static int direct[2];
_Alignas(64) static long by_fprintf;
_Alignas(64) static long by_dprintf;

static void* StreamWorker(void* arg) {
  (void)arg;
  fprintf(unbuffered, "done %d\n", 1);
  by_fprintf = 6 * 7;  // RACE
  return NULL;
}

static void* DescriptorWorker(void* arg) {
  (void)arg;
  dprintf(direct[1], "done %d\n", 2);
  by_dprintf = 1000;  // RACE
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
  long first = by_fprintf;  // RACE
  if (read(direct[0], line, 7) != 7) return 1;
  long second = by_dprintf;  // RACE
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  fclose(unbuffered);
  printf("%ld %ld\n", first, second);
  return 0;
}
