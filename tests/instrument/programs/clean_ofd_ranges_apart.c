// Three threads lock byte ranges of one file through descriptors of their own (open file
// description locks, F_OFD_SETLKW). T3 holds bytes 10-19 for a while; T1 holds bytes 0-9 and
// waits for a mutex T2 holds; T2 waits for bytes 10-19. T1's range keeps nobody out: once T3
// gives its range up, T2 goes on, gives the mutex up, and T1 goes on. No deadlock, though
// both waits are on one file's locks. Its bug twin is deadlock_flocks_beside_busy_thread
// (whole files).
// CHECK: exit 0
// CHECK: no-finding deadlock
// CHECK: no-finding hang
// CHECK: no-race
#define _GNU_SOURCE  // F_OFD_SETLKW
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char path[] = "/tmp/threadlens-ofd-ranges-apart";
static int fds[3];
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held;  // T3 holds its range, T2 the mutex, T1 its range

static int Range(int fd, short type, off_t start, off_t len) {
  struct flock l;
  memset(&l, 0, sizeof l);
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = len;
  return fcntl(fd, F_OFD_SETLKW, &l);
}

static void* Low(void* arg) {  // T1
  if (Range(fds[0], F_WRLCK, 0, 10) != 0) exit(1);
  pthread_barrier_wait(&held);
  usleep(100 * 1000);           // T2 is waiting for T3's range by now
  pthread_mutex_lock(&table);  // waits for T2
  pthread_mutex_unlock(&table);
  Range(fds[0], F_UNLCK, 0, 10);
  return arg;
}

static void* Middle(void* arg) {  // T2
  pthread_mutex_lock(&table);
  pthread_barrier_wait(&held);
  if (Range(fds[1], F_WRLCK, 10, 10) != 0) exit(1);  // waits for T3, not for T1
  Range(fds[1], F_UNLCK, 10, 10);
  pthread_mutex_unlock(&table);
  return arg;
}

static void* High(void* arg) {  // T3
  if (Range(fds[2], F_WRLCK, 10, 10) != 0) exit(1);
  pthread_barrier_wait(&held);
  usleep(1000 * 1000);  // past the watchdog's two polls, short of its delay
  Range(fds[2], F_UNLCK, 10, 10);
  return arg;
}

int main(void) {
  for (int i = 0; i < 3; ++i) fds[i] = open(path, O_CREAT | O_RDWR, 0600);
  unlink(path);
  for (int i = 0; i < 3; ++i) {
    if (fds[i] < 0) return 1;
  }
  pthread_barrier_init(&held, NULL, 3);
  pthread_t t[3];
  pthread_create(&t[0], NULL, Low, NULL);
  pthread_create(&t[1], NULL, Middle, NULL);
  pthread_create(&t[2], NULL, High, NULL);
  for (int i = 0; i < 3; ++i) pthread_join(t[i], NULL);
  return 0;
}
