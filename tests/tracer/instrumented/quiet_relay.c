// A value handed on through a thread that then goes quiet, in a program that records more
// than its trace may hold. The main thread writes `shared` and hands it to the relay under
// a mutex; the relay hands it to the reader under another, then waits for the end without
// recording anything. The reader reads `shared` and records until the size cap is passed.
// The relay's few records sit in its buffer until it exits, after the cap: the trace must
// still hold them, or the reader's read looks unordered with the main thread's write.
//   quiet_relay relay|unordered ROUNDS
// `unordered`: the reader reads without waiting for the relay (a real race), and floods
// the trace only once the write is made (told by a relaxed flag, which orders nothing).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int shared;
static int handed, relayed, finished, written;
static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER, m2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c1 = PTHREAD_COND_INITIALIZER, c2 = PTHREAD_COND_INITIALIZER;
static pthread_cond_t end_cv = PTHREAD_COND_INITIALIZER;
static int unordered;
static long rounds;

// Two records per round, of the calling thread's own locks: sixteen in turn, more than the
// tracer looks back over for the round before of a lock (a repeat would be counted, not
// written).
static void Busy(long n) {
  pthread_mutex_t own[16];
  for (int i = 0; i < 16; ++i) pthread_mutex_init(&own[i], NULL);
  for (long i = 0; i < n; ++i) {
    pthread_mutex_lock(&own[i % 16]);
    pthread_mutex_unlock(&own[i % 16]);
  }
}

static void* Relay(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m1);
  while (!handed) pthread_cond_wait(&c1, &m1);
  pthread_mutex_unlock(&m1);
  pthread_mutex_lock(&m2);
  relayed = 1;
  pthread_cond_signal(&c2);
  pthread_mutex_unlock(&m2);
  pthread_mutex_lock(&end_lock);  // quiet until the end
  while (!finished) pthread_cond_wait(&end_cv, &end_lock);
  pthread_mutex_unlock(&end_lock);
  return NULL;
}

static void* Reader(void* arg) {
  (void)arg;
  if (!unordered) {
    pthread_mutex_lock(&m2);
    while (!relayed) pthread_cond_wait(&c2, &m2);
    pthread_mutex_unlock(&m2);
  }
  printf("read %d\n", shared);
  while (unordered && !__atomic_load_n(&written, __ATOMIC_RELAXED)) {
  }
  Busy(rounds);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: quiet_relay relay|unordered ROUNDS\n");
    return 2;
  }
  unordered = strcmp(argv[1], "unordered") == 0;
  rounds = atol(argv[2]);
  pthread_t relay, reader;
  pthread_create(&relay, NULL, Relay, NULL);
  pthread_create(&reader, NULL, Reader, NULL);  // before the write: ordered by the relay only
  // The main thread's own buffer fills and is written before the cap: its write is kept.
  Busy(2000);
  shared = 42;
  __atomic_store_n(&written, 1, __ATOMIC_RELAXED);
  pthread_mutex_lock(&m1);
  handed = 1;
  pthread_cond_signal(&c1);
  pthread_mutex_unlock(&m1);
  Busy(2000);
  pthread_join(reader, NULL);
  pthread_mutex_lock(&end_lock);
  finished = 1;
  pthread_cond_signal(&end_cv);
  pthread_mutex_unlock(&end_lock);
  pthread_join(relay, NULL);
  return 0;
}
