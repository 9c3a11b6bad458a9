// The twin of deadlock_flocks_beside_busy_thread: both threads take file a's flock, then
// file b's, 50 times each, while a third thread keeps running until they are done.
// CHECK: exit 0
// CHECK: no-finding deadlock
// CHECK: no-finding hang
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static const char* const paths[2] = {"/tmp/threadlens-busy-flock-ordered-a",
                                     "/tmp/threadlens-busy-flock-ordered-b"};
static int fds[2][2];  // [thread][file]: an open file description each
static atomic_int done;
static long rows;  // written under both locks

static void* Take(void* arg) {
  const long me = (long)arg;
  for (int i = 0; i < 50; ++i) {
    if (flock(fds[me][0], LOCK_EX) != 0 || flock(fds[me][1], LOCK_EX) != 0) exit(1);
    ++rows;
    flock(fds[me][1], LOCK_UN);
    flock(fds[me][0], LOCK_UN);
  }
  return NULL;
}

static void* Busy(void* arg) {
  while (!atomic_load(&done)) usleep(1000);
  return arg;
}

int main(void) {
  for (int f = 0; f < 2; ++f) {
    for (int t = 0; t < 2; ++t) fds[t][f] = open(paths[f], O_CREAT | O_RDWR, 0600);
    unlink(paths[f]);
  }
  for (int t = 0; t < 2; ++t) {
    if (fds[t][0] < 0 || fds[t][1] < 0) return 1;
  }
  pthread_t busy, a, b;
  pthread_create(&busy, NULL, Busy, NULL);
  pthread_create(&a, NULL, Take, (void*)0);
  pthread_create(&b, NULL, Take, (void*)1);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  atomic_store(&done, 1);
  pthread_join(busy, NULL);
  return rows == 100 ? 0 : 2;
}
