// The twin of clean_flock_threads: both threads take the flock shared (LOCK_SH), which
// excludes no other reader, and write the counter under it.
// CHECK: race counter
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
    if (fd < 0 || flock(fd, LOCK_SH) != 0) exit(1);
    ++counter;  // RACE
    flock(fd, LOCK_UN);
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
