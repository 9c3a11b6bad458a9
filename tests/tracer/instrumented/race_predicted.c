// A race happens-before does not report but prediction does: the producer sets `config`
// without the lock, then takes the lock for its own counter; the consumer, 50 ms later, takes
// the lock for its counter and reads `config`. In the recorded run the lock hand-off orders
// the two; nothing makes the consumer wait for the producer (the critical sections share no
// data), so held at the two accesses the threads meet.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

// Each counter in an 8-byte granule of its own: prediction keys binary traces' memory by
// granule, and two counters sharing one would tie the critical sections together.
static int config;
static long produced, consumed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void* producer(void* arg) {
  (void)arg;
  config = 42;
  pthread_mutex_lock(&lock);
  ++produced;
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void* consumer(void* arg) {
  (void)arg;
  usleep(50 * 1000);
  pthread_mutex_lock(&lock);
  ++consumed;
  pthread_mutex_unlock(&lock);
  return (void*)(long)config;
}

int main(void) {
  pthread_t p, c;
  void* got;
  pthread_create(&p, NULL, producer, NULL);
  pthread_create(&c, NULL, consumer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, &got);
  printf("config %ld produced %ld consumed %ld\n", (long)got, produced, consumed);
  return 0;
}
