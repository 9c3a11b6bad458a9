/* The twin of race_c11_threads: every worker counts under the C11 mutex; a condition
 * variable hands a result to main, and thrd_join orders the workers' writes before main's
 * read. Without the C11 functions traced, each of these would be a race. */
// CHECK: no-race
#include <stdio.h>
#include <threads.h>

static mtx_t mu;
static cnd_t cv;
static long counter;
static int result, ready;

static int worker(void* arg) {
  (void)arg;
  for (int i = 0; i < 100; ++i) {
    mtx_lock(&mu);
    counter += 1;
    mtx_unlock(&mu);
  }
  return 0;
}

static int producer(void* arg) {
  (void)arg;
  result = 42;
  mtx_lock(&mu);
  ready = 1;
  cnd_signal(&cv);
  mtx_unlock(&mu);
  return 0;
}

int main(void) {
  if (mtx_init(&mu, mtx_plain) != thrd_success || cnd_init(&cv) != thrd_success) return 1;
  thrd_t a, b, p;
  thrd_create(&a, worker, NULL);
  thrd_create(&b, worker, NULL);
  thrd_create(&p, producer, NULL);
  mtx_lock(&mu);
  while (!ready) cnd_wait(&cv, &mu);
  mtx_unlock(&mu);
  printf("%d\n", result);
  thrd_join(a, NULL);
  thrd_join(b, NULL);
  thrd_join(p, NULL);
  printf("%ld\n", counter);
  cnd_destroy(&cv);
  mtx_destroy(&mu);
  return 0;
}
