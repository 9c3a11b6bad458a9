// Two threads lock byte ranges of one file through descriptors of their own (F_OFD_SETLKW),
// each holding one range and waiting for the other's. Ranges are not told apart, so the
// watchdog sees no cycle (a hold of another range may keep out nobody:
// clean_ofd_ranges_apart); it ends the program once every thread has been blocked past its
// delay, and each wait is a hang on the file's lock. ThreadSanitizer, clang 14: hangs, no
// report.
// CHECK: exit 86
// CHECK: finding hang on file lock /tmp/threadlens-ofd-ranges-crossed
// CHECK: no-finding deadlock
// CHECK: no-race
#define _GNU_SOURCE  // F_OFD_SETLKW
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char path[] = "/tmp/threadlens-ofd-ranges-crossed";
static int fds[2];
static pthread_barrier_t held;

static int Range(int fd, off_t start) {
  struct flock l;
  memset(&l, 0, sizeof l);
  l.l_type = F_WRLCK;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = 10;
  return fcntl(fd, F_OFD_SETLKW, &l);
}

static void* Take(void* arg) {
  const long me = (long)arg;
  if (Range(fds[me], 10 * me) != 0) exit(1);
  pthread_barrier_wait(&held);
  Range(fds[me], 10 * (1 - me));  // waits for the other thread's range
  return NULL;
}

int main(void) {
  for (int i = 0; i < 2; ++i) fds[i] = open(path, O_CREAT | O_RDWR, 0600);
  unlink(path);
  if (fds[0] < 0 || fds[1] < 0) return 1;
  pthread_barrier_init(&held, NULL, 2);
  pthread_t a, b;
  pthread_create(&a, NULL, Take, (void*)0);
  pthread_create(&b, NULL, Take, (void*)1);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
