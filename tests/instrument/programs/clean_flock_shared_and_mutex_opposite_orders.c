// The twin of lock_order_flock_and_mutex with shared flocks: the writer takes the file's
// shared lock, then the mutex; the indexer the mutex, then the shared lock. A shared flock
// keeps out no other shared one, so no interleaving deadlocks: no lock-order cycle.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static const char path[] = "/tmp/threadlens-flock-shared-order";
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static long rows;
static const char done[] = "/tmp/threadlens-flock-shared-order.done";

// Waits until `file` exists: the other side says it is done, with no memory between them.
static void WaitFor(const char* file) {
  while (access(file, F_OK) != 0) usleep(10 * 1000);
}

// Says so: creates `file`.
static void Done(const char* file) { close(open(file, O_CREAT | O_WRONLY, 0600)); }

static void* Writer(void* arg) {
  const int fd = open(path, O_RDWR);
  if (fd < 0 || flock(fd, LOCK_SH) != 0) exit(1);
  pthread_mutex_lock(&table);
  ++rows;
  pthread_mutex_unlock(&table);
  flock(fd, LOCK_UN);
  close(fd);
  Done(done);
  return arg;
}

static void* Indexer(void* arg) {
  WaitFor(done);  // until the writer is done
  const int fd = open(path, O_RDWR);
  if (fd < 0) exit(1);
  pthread_mutex_lock(&table);
  if (flock(fd, LOCK_SH) != 0) exit(1);
  ++rows;
  close(fd);  // gives the flock up
  pthread_mutex_unlock(&table);
  return arg;
}

int main(void) {
  unlink(done);
  const int fd = open(path, O_CREAT | O_RDWR, 0600);
  if (fd < 0) return 1;
  pthread_t a, b;
  pthread_create(&a, NULL, Writer, NULL);
  pthread_create(&b, NULL, Indexer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  close(fd);
  unlink(path);
  unlink(done);
  return rows == 2 ? 0 : 1;
}
