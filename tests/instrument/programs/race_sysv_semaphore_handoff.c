// The twin of clean_sysv_semaphore_handoff: the producer writes its result after the
// increment main takes, a filler writes its slot after counting down, and one filler adds to
// the counter without taking the semaphore that guards it.
// CHECK: race result
// CHECK: race slots[1]
// CHECK: race counter
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
  Op(0, 1);
  result = 6 * 7;  // RACE
  return NULL;
}

static void* Filler(void* arg) {
  long i = (long)arg;
  if (i == 0) {
    slots[i] = 10;
    Op(1, -1);
  } else {
    Op(1, -1);
    slots[i] = 20;  // RACE
  }
  for (int k = 0; k < 1000; ++k) {
    if (i == 0) Op(2, -1);
    ++counter;  // RACE
    if (i == 0) Op(2, 1);
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
  long seen = result;  // RACE
  struct sembuf zero = {1, 0, 0};
  struct timespec limit = {10, 0};
  semtimedop(sems, &zero, 1, &limit);
  long sum = slots[0] + slots[1];  // RACE
  pthread_join(p, NULL);
  for (int i = 0; i < 2; ++i) pthread_join(f[i], NULL);
  semctl(sems, 0, IPC_RMID);
  printf("%ld %ld %ld\n", seen, sum, counter);
  return 0;
}
