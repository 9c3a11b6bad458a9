/* C11 threads through <threads.h>, which glibc implements on internal pthread calls the
 * pthread interceptors never see: a recursive mutex, a condition variable, call_once, and a
 * worker whose return value reaches thrd_join. */
#include <stdio.h>
#include <threads.h>

static mtx_t mu;
static cnd_t cv;
static once_flag once = ONCE_FLAG_INIT;
static int ready;

static void init_once(void) { fputs("once\n", stderr); }

static int worker(void* arg) {
  (void)arg;
  call_once(&once, init_once);
  mtx_lock(&mu);
  ready = 1;
  cnd_signal(&cv);
  mtx_unlock(&mu);
  return 7;
}

int main(void) {
  printf("M %p\nCV %p\nONCE %p\n", (void*)&mu, (void*)&cv, (void*)&once);
  fflush(stdout);
  if (mtx_init(&mu, mtx_plain | mtx_recursive) != thrd_success) return 1;
  if (cnd_init(&cv) != thrd_success) return 1;
  thrd_t t;
  if (thrd_create(&t, worker, NULL) != thrd_success) return 1;
  mtx_lock(&mu);
  while (!ready) cnd_wait(&cv, &mu);
  mtx_unlock(&mu);
  int res = 0;
  if (thrd_join(t, &res) != thrd_success || res != 7) return 2;
  if (mtx_trylock(&mu) != thrd_success) return 3;
  mtx_unlock(&mu);
  mtx_destroy(&mu);
  cnd_destroy(&cv);
  return 0;
}
