// Descriptors made by timerfd_create, inotify_init1, memfd_create and mkstemp are objects
// like open's: for each, main closes it while a worker may still read from it. One race per
// descriptor: each is made in a function of its own, which keys it.
// CHECK: race *
// CHECK: races 4
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
  const ssize_t n = read(fd, b, 0);  // RACE
  printf("%zd\n", n);
  return arg;
}

static void CloseWhileRead(int made) {
  fd = made;
  if (fd < 0) exit(1);
  pthread_t r;
  pthread_create(&r, NULL, Reader, NULL);
  close(fd);  // RACE
  pthread_join(r, NULL);
}

__attribute__((noinline)) static int Timer(void) { return timerfd_create(CLOCK_MONOTONIC, 0); }
__attribute__((noinline)) static int Watch(void) { return inotify_init1(IN_NONBLOCK); }
__attribute__((noinline)) static int Memory(void) { return memfd_create("threadlens-test", 0); }
__attribute__((noinline)) static int Temp(char* path) { return mkstemp(path); }

int main(void) {
  CloseWhileRead(Timer());
  CloseWhileRead(Watch());
  CloseWhileRead(Memory());
  char path[] = "/tmp/threadlens-fd-XXXXXX";
  CloseWhileRead(Temp(path));
  unlink(path);
  return 0;
}
