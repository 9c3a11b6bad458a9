/* Futex waits a program makes itself, with syscall(SYS_futex, ...), as C++20's atomic wait
 * and futex-based locks do:
 *   - an untimed wait on a private word that no longer holds the value: EAGAIN at once;
 *   - a timed wait, which ends by itself (not recorded);
 *   - an untimed wait on a word in MAP_SHARED memory, which another process could wake
 *     (not recorded; EAGAIN here);
 *   - untimed waits that a worker ends with a store and a wake.
 * With "hang", main then waits on a word nobody wakes: every thread is blocked. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int changed = 1, timed, woken, never;

static long futex(int* word, int op, int val, const struct timespec* limit) {
  return syscall(SYS_futex, word, op, val, limit, NULL, 0);
}

static void* waker(void* arg) {
  (void)arg;
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, NULL);
  __atomic_store_n(&woken, 1, __ATOMIC_RELEASE);
  futex(&woken, FUTEX_WAKE_PRIVATE, 1, NULL);
  return NULL;
}

int main(int argc, char** argv) {
  int* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  *shared = 1;
  printf("CHANGED %p\nTIMED %p\nWOKEN %p\nNEVER %p\nSHARED %p\n", (void*)&changed,
         (void*)&timed, (void*)&woken, (void*)&never, (void*)shared);
  fflush(stdout);
  if (futex(&changed, FUTEX_WAIT_PRIVATE, 0, NULL) != -1 || errno != EAGAIN) return 2;
  struct timespec limit = {0, 1000 * 1000};
  if (futex(&timed, FUTEX_WAIT_PRIVATE, 0, &limit) != -1 || errno != ETIMEDOUT) return 3;
  if (futex(shared, FUTEX_WAIT, 0, NULL) != -1 || errno != EAGAIN) return 4;
  pthread_t t;
  pthread_create(&t, NULL, waker, NULL);
  while (!__atomic_load_n(&woken, __ATOMIC_ACQUIRE)) futex(&woken, FUTEX_WAIT_PRIVATE, 0, NULL);
  pthread_join(t, NULL);
  if (argc > 1 && strcmp(argv[1], "hang") == 0) futex(&never, FUTEX_WAIT, 0, NULL);
  puts("done");
  return 0;
}
