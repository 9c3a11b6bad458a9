// The twin of deadlock_flock_held_by_joiner: main gives its flock up before it joins the worker,
// whose wait then ends.
// CHECK: exit 0
// CHECK: no-finding hang
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static char path[] = "/tmp/threadlens-flock-XXXXXX";

static void* Worker(void* arg) {
  const int fd = open(path, O_RDWR);
  if (fd < 0) exit(1);
  flock(fd, LOCK_EX);
  close(fd);
  return arg;
}

int main(void) {
  const int fd = mkstemp(path);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  usleep(10 * 1000);
  flock(fd, LOCK_UN);
  pthread_join(t, NULL);
  close(fd);
  unlink(path);
  return 0;
}
