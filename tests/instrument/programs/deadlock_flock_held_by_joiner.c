// main takes a flock on a file and joins a worker that takes its own flock on the same file
// through another descriptor, which waits forever: the watchdog ends the program, and the
// deadlock is the worker waiting for the file's lock main holds while main waits for the
// worker. (ThreadSanitizer, clang 14: hangs, no report.) Its twin,
// clean_flock_given_up_before_join, unlocks before the join.
// CHECK: exit 86
// CHECK: finding deadlock
// CHECK: no-finding hang
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static const char path[] = "/tmp/threadlens-hang-flock";
static int other;  // the worker's descriptor: another open file description of the file

static void* Worker(void* arg) {
  flock(other, LOCK_EX);  // waits for main's lock
  close(other);
  return arg;
}

int main(void) {
  const int fd = open(path, O_CREAT | O_RDWR, 0600);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) return 1;
  other = open(path, O_RDWR);
  unlink(path);  // the open descriptors keep the file
  if (other < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  usleep(10 * 1000);
  pthread_join(t, NULL);
  flock(fd, LOCK_UN);
  close(fd);
  return 0;
}
