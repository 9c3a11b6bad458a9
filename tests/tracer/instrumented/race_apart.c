// Two races a plain run reports but never sees happen at once: the second thread sleeps for
// 50 ms first. `hits` is a real race: nothing orders the two increments, so held at them the
// two threads meet. `payload` is handed over through a plain `ready` flag the second thread
// spins on (synchronization the analyzer does not see): its race is reported, but the write
// always ends before the read can begin, so the two never meet.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int hits, payload;
static volatile int ready;

static void* producer(void* arg) {
  (void)arg;
  ++hits;
  payload = 42;
  ready = 1;
  return NULL;
}

static void* consumer(void* arg) {
  (void)arg;
  usleep(50 * 1000);
  ++hits;
  while (!ready) {
  }
  return (void*)(long)payload;
}

int main(void) {
  pthread_t p, c;
  void* got;
  pthread_create(&p, NULL, producer, NULL);
  pthread_create(&c, NULL, consumer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, &got);
  printf("hits %d payload %ld\n", hits, (long)got);
  return 0;
}
