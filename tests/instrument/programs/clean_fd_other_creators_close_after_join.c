// The twin of race_fd_other_creators_close_read: main closes each descriptor only after the
// worker that reads from it is joined.
// CHECK: no-race
#define _GNU_SOURCE  // memfd_create
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int fd;

static void* Reader(void* arg) {
  char b[64];
  const ssize_t n = read(fd, b, 0);
  printf("%zd\n", n);
  return arg;
}

static void CloseAfterRead(int made) {
  fd = made;
  if (fd < 0) exit(1);
  pthread_t r;
  pthread_create(&r, NULL, Reader, NULL);
  pthread_join(r, NULL);
  close(fd);
}

int main(void) {
  CloseAfterRead(timerfd_create(CLOCK_MONOTONIC, 0));
  CloseAfterRead(inotify_init1(IN_NONBLOCK));
  CloseAfterRead(memfd_create("threadlens-test", 0));
  char path[] = "/tmp/threadlens-fd-XXXXXX";
  CloseAfterRead(mkstemp(path));
  unlink(path);
  return 0;
}
