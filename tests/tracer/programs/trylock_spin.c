/* A trylock spin: a second thread spins on pthread_mutex_trylock while main holds the lock
 * for 50 ms. Prints the number of failed tries, which the trace counts on one record. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static atomic_int held;
static long failures;

static void* spinner(void* arg) {
  (void)arg;
  while (!atomic_load(&held)) {
  }
  while (pthread_mutex_trylock(&m) == EBUSY) ++failures;
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  printf("M %p\n", (void*)&m);
  pthread_t t;
  pthread_mutex_lock(&m);
  pthread_create(&t, NULL, spinner, NULL);
  atomic_store(&held, 1);
  usleep(50 * 1000);
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  printf("FAILURES %ld\n", failures);
  return 0;
}
