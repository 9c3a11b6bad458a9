// A worker increments System V semaphore 0 once; main decrements it twice. The second
// decrement waits in semop forever: the watchdog ends the program and the hang names the
// semaphore and the line of the call. (ThreadSanitizer, clang 14: hangs, no report.) Its twin
// is clean_sysv_semaphore_handoff.
// CHECK: exit 86
// CHECK: finding hang/sem on 0 of a System V set
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/sem.h>

static int sems;
static long result;

static void* Worker(void* arg) {
  result = 42;
  struct sembuf up = {0, 1, 0};
  semop(sems, &up, 1);
  return arg;
}

int main(void) {
  // A key of its own, so that the set the watchdog's end leaves behind is the next run's to
  // remove: one set at most outlives the tests.
  const key_t key = 0x746c6868;
  const int stale = semget(key, 1, 0600);
  if (stale >= 0) semctl(stale, 0, IPC_RMID);
  sems = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
  if (sems < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  struct sembuf down = {0, -1, 0};
  semop(sems, &down, 1);
  printf("%ld\n", result);
  semop(sems, &down, 1);  // nobody increments it again
  pthread_join(t, NULL);
  semctl(sems, 0, IPC_RMID);
  return 0;
}
