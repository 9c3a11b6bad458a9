// Two threads add to a counter, each under a flock of a descriptor of its own on one file
// (a flock belongs to the open file description: the two exclude each other). Every other
// round the lock ends with the descriptor's close instead of LOCK_UN. ThreadSanitizer (clang
// 14) reports a race here.
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static long counter;
static char path[] = "/tmp/threadlens-flock-XXXXXX";

static void* Worker(void* arg) {
  for (int i = 0; i < 200; ++i) {
    const int fd = open(path, O_RDWR);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) exit(1);
    ++counter;
    if (i % 2) flock(fd, LOCK_UN);
    close(fd);
  }
  return arg;
}

int main(void) {
  const int fd = mkstemp(path);
  if (fd < 0) return 1;
  pthread_t a, b;
  pthread_create(&a, NULL, Worker, NULL);
  pthread_create(&b, NULL, Worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", counter);
  unlink(path);
  close(fd);
  return 0;
}
