// The twin of race_exit_sync_seeks_cookie_stream: the program reads the stream to its end,
// so exit has nothing to give back and does not seek; the worker's read races with nothing.
// CHECK: exit 0
// CHECK: no-race
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct Source {
  const char* text;
  long pos;
};
struct Source source = {"a line of text\nand another one\n", 0};
atomic_int reported;

static ssize_t SourceRead(void* c, char* buf, size_t n) {
  struct Source* s = c;
  size_t left = strlen(s->text) - (size_t)s->pos;
  if (n > left) n = left;
  memcpy(buf, s->text + s->pos, n);
  s->pos += (long)n;
  return (ssize_t)n;
}

static int SourceSeek(void* c, off64_t* off, int whence) {
  struct Source* s = c;
  if (whence != SEEK_CUR) return -1;
  s->pos += *off;
  *off = s->pos;
  return 0;
}

static void* Progress(void* arg) {
  (void)arg;
  printf("read %ld bytes\n", source.pos);
  fflush(stdout);
  atomic_store_explicit(&reported, 1, memory_order_relaxed);
  for (;;) pause();
  return NULL;
}

int main(void) {
  cookie_io_functions_t io = {.read = SourceRead, .seek = SourceSeek};
  FILE* f = fopencookie(&source, "r", io);
  int lines = 0;
  for (int c; (c = fgetc(f)) != EOF;) lines += c == '\n';
  printf("%d lines\n", lines);
  fflush(stdout);
  pthread_t t;
  pthread_create(&t, NULL, Progress, NULL);
  pthread_detach(t);
  while (!atomic_load_explicit(&reported, memory_order_relaxed)) usleep(1000);
  exit(0);
}
