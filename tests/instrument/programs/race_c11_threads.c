/* C11 threads (<threads.h>): two workers count under a mutex, a third counts without it.
 * glibc implements these functions on internal pthread calls; the runtime traces them. */
// CHECK: race counter
#include <stdio.h>
#include <threads.h>

static mtx_t mu;
static long counter;

static int locked(void* arg) {
  (void)arg;
  for (int i = 0; i < 100; ++i) {
    mtx_lock(&mu);
    counter += 1;  // RACE
    mtx_unlock(&mu);
  }
  return 0;
}

static int unlocked(void* arg) {
  (void)arg;
  for (int i = 0; i < 100; ++i) counter += 1;  // RACE
  return 0;
}

int main(void) {
  if (mtx_init(&mu, mtx_plain) != thrd_success) return 1;
  thrd_t a, b, c;
  thrd_create(&a, locked, NULL);
  thrd_create(&b, locked, NULL);
  thrd_create(&c, unlocked, NULL);
  thrd_join(a, NULL);
  thrd_join(b, NULL);
  thrd_join(c, NULL);
  printf("%ld\n", counter);
  mtx_destroy(&mu);
  return 0;
}
