// Fully buffered streams over pipes, with no flush: stdio writes the buffer out inside the
// call that fills it. One worker fills in a result and then fwrite()s 16 KiB, more than the
// buffer holds; another fills in its result and then prints short lines with fprintf until
// one goes out. main reads the first bytes of each pipe, then the results: each read is
// ordered after the write that filled the buffer, and so after the result. A stream that
// only buffers sends nothing, which keeps printing programs from recording an event a line.
// (ThreadSanitizer, clang 14, reports both.) Its twin is race_stdio_buffer_full_handoff.
// CHECK: no-race
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
  by_block = 6 * 7;
  fwrite(block, 1, sizeof block, by_block_stream);
  return NULL;
}

static void* LineWriter(void* arg) {
  (void)arg;
  by_lines = 1000;
  for (int i = 0; i < 2000; ++i) fprintf(by_lines_stream, "line %d\n", i);
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
  long first = by_block;
  if (read(b[0], head, sizeof head) != (ssize_t)sizeof head) return 1;
  long second = by_lines;
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  printf("%ld %ld\n", first, second);
  return 0;
}
