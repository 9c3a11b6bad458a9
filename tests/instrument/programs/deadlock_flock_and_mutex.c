// Two threads take a file's flock (each through a descriptor of its own) and a mutex in
// opposite orders, and meet: each waits for what the other holds. The watchdog ends the
// program; the deadlock names the file's lock and the mutex. (ThreadSanitizer, clang 14:
// hangs, no report: it models no file lock.) Its twin, clean_flock_and_mutex_same_order,
// takes them in one order.
// CHECK: exit 86
// CHECK: finding deadlock
// CHECK: no-finding hang
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static const char path[] = "/tmp/threadlens-flock-and-mutex";
static int fds[2];  // two open file descriptions of the file, one per thread
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;

static void* FileFirst(void* arg) {
  if (flock(fds[0], LOCK_EX) != 0) exit(1);
  pthread_barrier_wait(&both);
  pthread_mutex_lock(&table);  // waits for MutexFirst
  return arg;
}

static void* MutexFirst(void* arg) {
  pthread_mutex_lock(&table);
  pthread_barrier_wait(&both);
  flock(fds[1], LOCK_EX);  // waits for FileFirst
  return arg;
}

int main(void) {
  fds[0] = open(path, O_CREAT | O_RDWR, 0600);
  fds[1] = open(path, O_RDWR);
  unlink(path);  // the descriptors keep the file; the watchdog's end leaves nothing behind
  if (fds[0] < 0 || fds[1] < 0) return 1;
  pthread_barrier_init(&both, NULL, 2);
  pthread_t a, b;
  pthread_create(&a, NULL, FileFirst, NULL);
  pthread_create(&b, NULL, MutexFirst, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
