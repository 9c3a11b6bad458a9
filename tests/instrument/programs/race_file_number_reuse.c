// A worker sets a flag and then opens and closes a regular file; another thread, later,
// opens a file, gets the same descriptor number back, and reads the flag. Only the kernel's
// reuse of the number orders the two, and programs that read files open and close them all
// the time: threadlens does not take a regular file's number handed out again as an edge
// (a socket's or a device's it does, clean_fd_number_reuse), so the race is reported, as
// ThreadSanitizer reports it. Its twin is clean_file_number_reuse.
// CHECK: race flag
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int flag;
static char path[] = "/tmp/threadlens-file-number-XXXXXX";

static void* Writer(void* arg) {
  flag = 1;  // RACE
  int fd = open(path, O_RDONLY);
  close(fd);
  return arg;
}

static void* Reader(void* arg) {
  usleep(100 * 1000);  // no synchronization
  int fd = open(path, O_RDONLY);
  int seen = flag;  // RACE
  close(fd);
  printf("%d\n", seen);
  return arg;
}

int main(void) {
  int tmp = mkstemp(path);
  if (tmp < 0) return 1;
  close(tmp);
  pthread_t w, r;
  pthread_create(&r, NULL, Reader, NULL);
  pthread_create(&w, NULL, Writer, NULL);
  pthread_join(w, NULL);
  pthread_join(r, NULL);
  unlink(path);
  return 0;
}
