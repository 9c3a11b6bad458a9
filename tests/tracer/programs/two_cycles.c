// Two lock-order cycles. Threads 1 and 2 take a and b in opposite orders, but only inside a
// binary semaphore (a gate the lock-order graph does not see): that cycle is reported and
// can never deadlock. Threads 3 and 4 take c and d in opposite orders and meet at a barrier
// in between: they always deadlock, a little later. Confirming the first cycle must not
// count the second one's deadlock.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t c = PTHREAD_MUTEX_INITIALIZER, d = PTHREAD_MUTEX_INITIALIZER;
static sem_t gate;
static pthread_barrier_t meet;

static void* gated(void* arg) {
  const int first = arg != NULL;
  sem_wait(&gate);
  pthread_mutex_lock(first ? &a : &b);
  pthread_mutex_lock(first ? &b : &a);
  pthread_mutex_unlock(first ? &b : &a);
  pthread_mutex_unlock(first ? &a : &b);
  sem_post(&gate);
  return NULL;
}

static void* crossing(void* arg) {
  const int first = arg != NULL;
  usleep(200 * 1000);  // after the gated pair
  pthread_mutex_lock(first ? &c : &d);
  pthread_barrier_wait(&meet);
  pthread_mutex_lock(first ? &d : &c);
  pthread_mutex_unlock(first ? &d : &c);
  pthread_mutex_unlock(first ? &c : &d);
  return NULL;
}

int main(void) {
  sem_init(&gate, 0, 1);
  pthread_barrier_init(&meet, NULL, 2);
  pthread_t t[4];
  pthread_create(&t[0], NULL, gated, (void*)1);
  pthread_create(&t[1], NULL, gated, NULL);
  pthread_create(&t[2], NULL, crossing, (void*)1);
  pthread_create(&t[3], NULL, crossing, NULL);
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  puts("done");
  return 0;
}
