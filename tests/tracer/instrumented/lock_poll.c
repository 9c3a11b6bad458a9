// Main polls a flag through a mutex (lock, read, unlock, again) until a setter thread sets it,
// about 40 ms on. argv[1]:
//   flag             the setter sets the flag under the lock: nothing races
//   call             the same, the poll's read in a function of its own
//   unlocked         the setter writes the flag without the lock: a race on `done`
//   handover         the setter takes and gives back the lock, then writes `extra`, which
//                    every round also reads, without it: a race on `extra`
//   handover-locked  the same with `extra` written under the lock: nothing races
// With the prefix `rw-` the lock is a rwlock: main polls holding it shared, the setter takes
// it exclusively. With `nested-` each round and the setter take a second mutex inside the
// first. With `turn-` each round then takes a second mutex after the first (two in turn) and
// reads `extra2`, which nobody writes.
// With `cond-` main holds the mutex and waits on a condition variable with a deadline already
// past, again and again, until the flag is set (nobody signals); with `condround-` it takes
// the mutex, waits so once unless the flag is set, and lets the mutex go, each round.
// argv[2], optional: the busy loop's length outside the lock each round (50000; 0: a tight
// poll). Prints the lock's address and how many rounds the poll made.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER, lock2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int done, extra, extra2, seen;
static const char* mode;
static int rw, nested, turn, cond_wait;

static void Take(int shared) {
  if (!rw) {
    pthread_mutex_lock(&lock);
    if (nested) pthread_mutex_lock(&lock2);
  } else if (shared) {
    pthread_rwlock_rdlock(&rwlock);
  } else {
    pthread_rwlock_wrlock(&rwlock);
  }
}
static void Give(void) {
  if (rw) {
    pthread_rwlock_unlock(&rwlock);
  } else {
    if (nested) pthread_mutex_unlock(&lock2);
    pthread_mutex_unlock(&lock);
  }
}

static void Locked(int* where) {
  Take(0);
  *where = 1;
  Give();
}

static void* Setter(void* arg) {
  (void)arg;
  usleep(20000);
  if (strncmp(mode, "handover", 8) == 0) {
    Take(0);
    Give();
    if (strcmp(mode, "handover") == 0) {
      extra = 1;
    } else {
      Locked(&extra);
    }
    usleep(20000);
  }
  if (strcmp(mode, "unlocked") == 0) {
    done = 1;
  } else {
    Locked(&done);
  }
  return NULL;
}

__attribute__((noinline)) static int Check(void) {
  Take(1);
  const int d = done;
  Give();
  return d;
}

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) return 2;
  mode = argv[1];
  const long outside = argc == 3 ? atol(argv[2]) : 50000;
  rw = strncmp(mode, "rw-", 3) == 0;
  nested = strncmp(mode, "nested-", 7) == 0;
  turn = strncmp(mode, "turn-", 5) == 0;
  cond_wait = strncmp(mode, "cond-", 5) == 0 ? 1 : strncmp(mode, "condround-", 10) == 0 ? 2 : 0;
  mode += rw ? 3 : nested ? 7 : turn || cond_wait == 1 ? 5 : cond_wait ? 10 : 0;
  printf("LOCK %p\nLOCK2 %p\n", rw ? (void*)&rwlock : (void*)&lock, (void*)&lock2);
  pthread_t t;
  pthread_create(&t, NULL, Setter, NULL);
  long rounds = 0;
  const int call = strcmp(mode, "call") == 0;
  const struct timespec past = {0, 0};
  if (cond_wait == 1) {
    pthread_mutex_lock(&lock);
    for (; !done; ++rounds) pthread_cond_timedwait(&cond, &lock, &past);
    pthread_mutex_unlock(&lock);
  }
  for (int d = 0; cond_wait == 2 && !d; ++rounds) {
    pthread_mutex_lock(&lock);
    d = done;
    if (!d) pthread_cond_timedwait(&cond, &lock, &past);
    pthread_mutex_unlock(&lock);
  }
  for (int d = cond_wait; !d; ++rounds) {
    // Most of a round is spent outside the lock: the setter takes it without waiting.
    for (long i = 0; i < outside; ++i) __asm__ volatile("");
    if (call) {
      d = Check();
    } else {
      Take(1);
      d = done;
      seen += extra;
      Give();
      if (turn) {
        pthread_mutex_lock(&lock2);
        seen += extra2;
        pthread_mutex_unlock(&lock2);
      }
    }
  }
  pthread_join(t, NULL);
  printf("ROUNDS %ld\n", rounds);
  return 0;
}
