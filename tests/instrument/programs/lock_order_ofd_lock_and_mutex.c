// lock_order_flock_and_mutex with open file description locks (F_OFD_SETLKW), which
// belong to the descriptor as a flock does: the writer's lock keeps out the indexer's, taken
// through a descriptor of its own, and the opposite orders are a lock-order cycle.
// CHECK: exit 0
// CHECK: finding lock-order on table
// CHECK: no-finding deadlock
// CHECK: no-race
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

// A lock command of `type` on the whole file, waiting for the lock.
static int Lock(int fd, short type) {
  struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  return fcntl(fd, F_OFD_SETLKW, &l);
}

static const char path[] = "/tmp/threadlens-ofd-order";
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static long rows;
static const char done[] = "/tmp/threadlens-ofd-order.done";

// Waits until `file` exists: the other side says it is done, with no memory between them.
static void WaitFor(const char* file) {
  while (access(file, F_OK) != 0) usleep(10 * 1000);
}

// Says so: creates `file`.
static void Done(const char* file) { close(open(file, O_CREAT | O_WRONLY, 0600)); }

static void* Writer(void* arg) {
  const int fd = open(path, O_RDWR);
  if (fd < 0 || Lock(fd, F_WRLCK) != 0) exit(1);
  pthread_mutex_lock(&table);
  ++rows;
  pthread_mutex_unlock(&table);
  Lock(fd, F_UNLCK);
  close(fd);
  Done(done);
  return arg;
}

static void* Indexer(void* arg) {
  WaitFor(done);  // until the writer is done
  const int fd = open(path, O_RDWR);
  if (fd < 0) exit(1);
  pthread_mutex_lock(&table);
  if (Lock(fd, F_WRLCK) != 0) exit(1);
  ++rows;
  close(fd);  // gives the lock up
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
