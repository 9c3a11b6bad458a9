// The twin of clean_stdio_buffer_full_handoff: each worker fills in its result only after
// its writes, so main's reads of the results race.
// CHECK: race by_block
// CHECK: race by_lines
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static FILE* by_block_stream;
static FILE* by_lines_stream;
_Alignas(64) static long by_block;
_Alignas(64) static long by_lines;
static char block[16384];

static void* BlockWriter(void* arg) {
  (void)arg;
  fwrite(block, 1, sizeof block, by_block_stream);
  by_block = 6 * 7;  // RACE
  return NULL;
}

static void* LineWriter(void* arg) {
  (void)arg;
  for (int i = 0; i < 2000; ++i) fprintf(by_lines_stream, "line %d\n", i);
  by_lines = 1000;  // RACE
  return NULL;
}

int main(void) {
  int a[2], b[2];
  if (pipe(a) != 0 || pipe(b) != 0) return 1;
  by_block_stream = fdopen(a[1], "w");
  by_lines_stream = fdopen(b[1], "w");
  if (!by_block_stream || !by_lines_stream) return 1;
  memset(block, 'x', sizeof block);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, BlockWriter, NULL);
  pthread_create(&t2, NULL, LineWriter, NULL);
  char head[4];
  if (read(a[0], head, sizeof head) != (ssize_t)sizeof head) return 1;
  long first = by_block;  // RACE
  if (read(b[0], head, sizeof head) != (ssize_t)sizeof head) return 1;
  long second = by_lines;  // RACE
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  printf("%ld %ld\n", first, second);
  return 0;
}
