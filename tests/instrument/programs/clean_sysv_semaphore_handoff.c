// System V semaphores order threads as POSIX ones do: a worker writes its result and then
// increments semaphore 0, and main's decrement that takes it reads the result after; two
// workers each fill a slot and then count semaphore 1 down, and main's wait for zero reads
// both slots after; a counter is incremented under semaphore 2 used as a lock. Its values
// come from semctl (SETALL, then SETVAL). (ThreadSanitizer, clang 14, models no System V
// semaphore and reports races on all three.) Its twin is race_sysv_semaphore_handoff.
// CHECK: no-race
#define _GNU_SOURCE  // semtimedop
#include <pthread.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

int sems;
long result;
long slots[2];
long counter;

static void Op(unsigned num, short delta) {
  struct sembuf op = {num, delta, 0};
  semop(sems, &op, 1);
}

static void* Producer(void* arg) {
  (void)arg;
  result = 6 * 7;
  Op(0, 1);
  return NULL;
}

static void* Filler(void* arg) {
  long i = (long)arg;
  slots[i] = 10 * (i + 1);
  Op(1, -1);
  for (int k = 0; k < 1000; ++k) {
    Op(2, -1);
    ++counter;
    Op(2, 1);
  }
  return NULL;
}

int main(void) {
  sems = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
  if (sems < 0) return 1;
  unsigned short initial[3] = {0, 0, 1};
  semctl(sems, 0, SETALL, initial);
  semctl(sems, 1, SETVAL, 2);
  pthread_t p, f[2];
  pthread_create(&p, NULL, Producer, NULL);
  for (long i = 0; i < 2; ++i) pthread_create(&f[i], NULL, Filler, (void*)i);
  Op(0, -1);
  long seen = result;
  struct sembuf zero = {1, 0, 0};
  struct timespec limit = {10, 0};
  semtimedop(sems, &zero, 1, &limit);
  long sum = slots[0] + slots[1];
  pthread_join(p, NULL);
  for (int i = 0; i < 2; ++i) pthread_join(f[i], NULL);
  semctl(sems, 0, IPC_RMID);
  printf("%ld %ld %ld\n", seen, sum, counter);
  return 0;
}
