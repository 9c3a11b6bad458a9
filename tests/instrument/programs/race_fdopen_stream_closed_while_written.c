// The racy twin of clean_fdopen_stream_closed_then_number_reused: one thread closes the stream
// over a pipe's write end (fclose closes the descriptor) while another thread writes to that
// descriptor directly, with nothing ordering the two.
// CHECK: race *
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int ends[2];
static FILE* stream;

static void* Closer(void* arg) {
  fclose(stream);  // RACE
  return arg;
}

static void* Writer(void* arg) {
  (void)!write(ends[1], "y", 1);  // RACE
  return arg;
}

int main(void) {
  if (pipe(ends) != 0) return 2;
  stream = fdopen(ends[1], "wb");
  pthread_t a, b;
  pthread_create(&b, NULL, Writer, NULL);
  pthread_create(&a, NULL, Closer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  close(ends[0]);
  return 0;
}
