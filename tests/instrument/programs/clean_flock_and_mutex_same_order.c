// The twin of deadlock_flock_and_mutex: both threads take the file's flock first, then the
// mutex, and give both up.
// CHECK: exit 0
// CHECK: no-finding deadlock
// CHECK: no-finding lock-order
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static const char path[] = "/tmp/threadlens-flock-and-mutex-ordered";
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static long rows;

static void* Worker(void* arg) {
  const int fd = open(path, O_RDWR);
  if (fd < 0) exit(1);
  for (int i = 0; i < 100; ++i) {
    if (flock(fd, LOCK_EX) != 0) exit(1);
    pthread_mutex_lock(&table);
    ++rows;
    pthread_mutex_unlock(&table);
    flock(fd, LOCK_UN);
  }
  close(fd);
  return arg;
}

int main(void) {
  const int fd = open(path, O_CREAT | O_RDWR, 0600);
  if (fd < 0) return 1;
  pthread_t a, b;
  pthread_create(&a, NULL, Worker, NULL);
  pthread_create(&b, NULL, Worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  close(fd);
  unlink(path);
  return rows == 200 ? 0 : 1;
}
