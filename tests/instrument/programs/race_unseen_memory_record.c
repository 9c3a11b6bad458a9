/* Records in memory no allocation of the trace holds (sbrk's, which no allocator function
   returns): two threads add to the same record's total without a lock. The address has no
   block and no variable; the accesses' code types it (`struct rec *r`), so the race is on
   `rec::total at 0x...`. ThreadSanitizer reports a bare address. */
// CHECK: race *
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

struct rec {
  int id;
  long total;
};
static struct rec *recs;

static void *run(void *arg) {
  struct rec *r = &recs[(long)arg & 0];
  r->total += 1;  // RACE
  return NULL;
}

int main(void) {
  recs = sbrk(4096);
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", recs[0].total);
  return 0;
}
