// The correct twin of race_fields_through_accessors: the block is published with a release
// store and taken with an acquire load, which order the fields' writes before their reads.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct account {
  long balance;
  char other[56];
  long limit;
};
static struct account* published;

__attribute__((noinline)) static void Store(long* field, long v) { *field = v; }
__attribute__((noinline)) static long Load(const long* field) { return *field; }

static void* Producer(void* arg) {
  struct account* a = malloc(sizeof *a);
  Store(&a->balance, 100);
  Store(&a->limit, 500);
  __atomic_store_n(&published, a, __ATOMIC_RELEASE);
  return arg;
}

static void* Consumer(void* arg) {
  struct account* a;
  while (!(a = __atomic_load_n(&published, __ATOMIC_ACQUIRE))) {
  }
  const long balance = Load(&a->balance);
  const long limit = Load(&a->limit);
  printf("%ld of %ld\n", balance, limit);
  return arg;
}

int main(void) {
  pthread_t p, c;
  pthread_create(&c, NULL, Consumer, NULL);
  pthread_create(&p, NULL, Producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  free(published);
  return 0;
}
