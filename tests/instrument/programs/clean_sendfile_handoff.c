// In-kernel copies order like the reads and writes they stand for. A worker fills in a
// result and writes a file; main's sendfile copies that file to /dev/null once it holds the
// byte (a receive from the file); a second worker fills in another result and moves a byte
// from a file into the pipe with sendfile (a send on the pipe), and main's read of the pipe
// gets it. Both results are read after their writes. (ThreadSanitizer, clang 14, reports
// both races.) Its twin is race_sendfile_handoff.
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <unistd.h>

static int file, source, pipe_fds[2];
_Alignas(64) static long from_file;
_Alignas(64) static long from_pipe;

static void* FileWriter(void* arg) {
  (void)arg;
  from_file = 6 * 7;
  if (pwrite(file, "x", 1, 0) != 1) abort();
  return NULL;
}

static void* PipeSender(void* arg) {
  (void)arg;
  from_pipe = 1000;
  off_t at = 0;
  if (sendfile(pipe_fds[1], source, &at, 1) != 1) abort();
  return NULL;
}

int main(void) {
  char a[] = "/tmp/threadlens_sendfile_XXXXXX", b[] = "/tmp/threadlens_sendfile_XXXXXX";
  file = mkstemp(a);
  source = mkstemp(b);
  if (file < 0 || source < 0 || pipe(pipe_fds) != 0) return 1;
  unlink(a);
  unlink(b);
  if (write(source, "y", 1) != 1) return 1;
  int sink = open("/dev/null", O_WRONLY);
  pthread_t w;
  pthread_create(&w, NULL, FileWriter, NULL);
  for (;;) {
    off_t at = 0;
    if (sendfile(sink, file, &at, 1) == 1) break;
    usleep(1000);
  }
  long first = from_file;
  pthread_t s;
  pthread_create(&s, NULL, PipeSender, NULL);
  char c;
  if (read(pipe_fds[0], &c, 1) != 1) return 1;
  long second = from_pipe;
  pthread_join(w, NULL);
  pthread_join(s, NULL);
  printf("%ld %ld %c\n", first, second, c);
  return 0;
}
