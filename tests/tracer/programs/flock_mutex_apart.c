// A lock-order cycle through a file's lock that a plain run never turns into a deadlock: the
// first thread takes the file's flock, then the mutex, and is done long before the second
// takes the mutex, then the flock (through a descriptor of its own). `joined`: the second
// thread starts only after the first was joined, so the cycle can never deadlock at all.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static char path[64];

static void* forward(void* arg) {
  (void)arg;
  const int fd = open(path, O_RDWR);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) exit(1);
  pthread_mutex_lock(&table);
  pthread_mutex_unlock(&table);
  close(fd);
  return NULL;
}

static void* backward(void* arg) {
  (void)arg;
  usleep(100 * 1000);  // the other thread is long done, in a plain run
  const int fd = open(path, O_RDWR);
  if (fd < 0) exit(1);
  pthread_mutex_lock(&table);
  if (flock(fd, LOCK_EX) != 0) exit(1);
  close(fd);
  pthread_mutex_unlock(&table);
  return NULL;
}

int main(int argc, char** argv) {
  const int joined = argc > 1 && strcmp(argv[1], "joined") == 0;
  // One file per process: tests run side by side.
  snprintf(path, sizeof path, "/tmp/threadlens-flock-apart-%d", (int)getpid());
  const int fd = open(path, O_CREAT | O_RDWR, 0600);
  if (fd < 0) return 1;
  pthread_t t1, t2;
  pthread_create(&t1, NULL, forward, NULL);
  if (joined) pthread_join(t1, NULL);
  pthread_create(&t2, NULL, backward, NULL);
  if (!joined) pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  close(fd);
  unlink(path);
  puts("done");
  return 0;
}
