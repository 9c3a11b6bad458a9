// The twin of clean_file_handoff: each worker fills in its result only after writing the
// file, so main's read of the file orders nothing about the result: both reads race.
// CHECK: race by_pwrite
// CHECK: race by_stream
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int fd;
static char path[] = "/tmp/threadlens_handoff_XXXXXX";
_Alignas(64) static long by_pwrite;
_Alignas(64) static long by_stream;

static void* Writer(void* arg) {
  (void)arg;
  if (pwrite(fd, "x", 1, 0) != 1) abort();
  by_pwrite = 6 * 7;  // RACE
  return NULL;
}

static void* StreamWriter(void* arg) {
  (void)arg;
  FILE* f = fopen(path, "w");
  if (!f) abort();
  fputs("ready\n", f);
  fflush(f);
  fclose(f);
  by_stream = 1000;  // RACE
  return NULL;
}

int main(void) {
  char scratch[] = "/tmp/threadlens_scratch_XXXXXX";
  fd = mkstemp(scratch);
  int made = mkstemp(path);
  if (fd < 0 || made < 0) return 1;
  close(made);
  unlink(scratch);
  pthread_t a, b;
  pthread_create(&a, NULL, Writer, NULL);
  pthread_create(&b, NULL, StreamWriter, NULL);
  char c;
  while (pread(fd, &c, 1, 0) != 1) usleep(1000);
  long first = by_pwrite;  // RACE
  char line[8];
  for (;;) {
    int in = open(path, O_RDONLY);
    ssize_t n = read(in, line, 6);
    close(in);
    if (n == 6) break;
    usleep(1000);
  }
  long second = by_stream;  // RACE
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  unlink(path);
  printf("%ld %ld\n", first, second);
  return 0;
}
