/* Every rwlock operation once, single-threaded. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_rwlock_t s = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t l;

int main(void) {
  printf("S %p\nL %p\n", (void*)&s, (void*)&l);
  pthread_rwlock_rdlock(&s);
  pthread_rwlock_unlock(&s);

  pthread_rwlock_init(&l, NULL);
  pthread_rwlock_rdlock(&l);
  pthread_rwlock_rdlock(&l);
  pthread_rwlock_unlock(&l);
  pthread_rwlock_unlock(&l);
  pthread_rwlock_wrlock(&l);
  if (pthread_rwlock_tryrdlock(&l) == 0) return 10;
  pthread_rwlock_unlock(&l);
  if (pthread_rwlock_trywrlock(&l) != 0) return 11;
  pthread_rwlock_unlock(&l);
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += 5;
  if (pthread_rwlock_timedrdlock(&l, &t) != 0) return 12;
  pthread_rwlock_unlock(&l);
  if (pthread_rwlock_timedwrlock(&l, &t) != 0) return 13;
  pthread_rwlock_unlock(&l);
  pthread_rwlock_destroy(&l);
  return 0;
}
