// Two workers each fill in a result and then write to a regular file: one with pwrite on a
// descriptor, the other with fputs and fflush on a stream it opened with fopen. main waits
// until its reads of the file (pread, then read on a descriptor of its own) return those
// bytes, then reads the results. A read that returns bytes another thread wrote got them after
// that write (POSIX), so each read of a result is ordered after its write. (ThreadSanitizer,
// clang 14, reports both: it orders a write(2) to a file it saw opened before every later
// read of any file, but mkstemp's descriptor is not one, and stdio writes inside the C
// library.) Its twin is race_file_handoff.
// CHECK: no-race
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
  by_pwrite = 6 * 7;
  if (pwrite(fd, "x", 1, 0) != 1) abort();
  return NULL;
}

static void* StreamWriter(void* arg) {
  (void)arg;
  by_stream = 1000;
  FILE* f = fopen(path, "w");
  if (!f) abort();
  fputs("ready\n", f);
  fflush(f);
  fclose(f);
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
  long first = by_pwrite;
  char line[8];
  for (;;) {
    int in = open(path, O_RDONLY);
    ssize_t n = read(in, line, 6);
    close(in);
    if (n == 6) break;
    usleep(1000);
  }
  long second = by_stream;
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  unlink(path);
  printf("%ld %ld\n", first, second);
  return 0;
}
