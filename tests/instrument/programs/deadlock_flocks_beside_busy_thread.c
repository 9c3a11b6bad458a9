// Two threads take two files' flocks (each through descriptors of its own) in opposite orders
// and meet, while a third thread keeps running: "every thread blocked" never holds, so only
// the watchdog's wait-for cycle through the file locks ends the program, at once. (Before the
// watchdog followed file locks, the busy thread gave up after 30 s and exited with 3.)
// ThreadSanitizer, clang 14: hangs until the busy thread's exit, no report. Its twin,
// clean_flocks_same_order_beside_busy_thread, takes them in one order.
// CHECK: exit 86
// CHECK: finding deadlock
// CHECK: no-finding hang
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static const char* const paths[2] = {"/tmp/threadlens-busy-flock-a",
                                     "/tmp/threadlens-busy-flock-b"};
static int fds[2][2];  // [thread][file]: an open file description each
static pthread_barrier_t both;

static void* Take(void* arg) {
  const long me = (long)arg;
  if (flock(fds[me][me], LOCK_EX) != 0) exit(1);
  pthread_barrier_wait(&both);
  flock(fds[me][1 - me], LOCK_EX);  // waits for the other thread
  return NULL;
}

static void* Busy(void* arg) {
  const time_t end = time(NULL) + 30;
  while (time(NULL) < end) usleep(10 * 1000);
  exit(3);
  return arg;
}

int main(void) {
  for (int f = 0; f < 2; ++f) {
    for (int t = 0; t < 2; ++t) fds[t][f] = open(paths[f], O_CREAT | O_RDWR, 0600);
    unlink(paths[f]);  // the descriptors keep the file; the watchdog's end leaves nothing
  }
  for (int t = 0; t < 2; ++t) {
    if (fds[t][0] < 0 || fds[t][1] < 0) return 1;
  }
  pthread_barrier_init(&both, NULL, 2);
  pthread_t busy, a, b;
  pthread_create(&busy, NULL, Busy, NULL);
  pthread_create(&a, NULL, Take, (void*)0);
  pthread_create(&b, NULL, Take, (void*)1);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
