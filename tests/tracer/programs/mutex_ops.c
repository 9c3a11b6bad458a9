/* Every mutex operation once, single-threaded so the exact event sequence is known:
 * a static normal mutex (seen first at use), a recursive one, an error-checking one. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t r;
static pthread_mutex_t e;

int main(void) {
  printf("M %p\nR %p\nE %p\n", (void*)&m, (void*)&r, (void*)&e);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  if (pthread_mutex_trylock(&m) != 0) return 10;
  pthread_mutex_unlock(&m);

  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&r, &a);
  pthread_mutex_lock(&r);
  pthread_mutex_lock(&r);
  pthread_mutex_unlock(&r);
  pthread_mutex_unlock(&r);

  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&e, &a);
  pthread_mutex_lock(&e);
  if (pthread_mutex_trylock(&e) != EBUSY) return 11;
  pthread_mutex_unlock(&e);
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += 5;
  if (pthread_mutex_timedlock(&e, &t) != 0) return 12;
  pthread_mutex_unlock(&e);
  if (pthread_mutex_unlock(&e) != EPERM) return 13; /* misuse: not held */
  pthread_mutex_destroy(&e);
  return 0;
}
