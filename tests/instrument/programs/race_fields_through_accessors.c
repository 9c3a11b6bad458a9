// Two fields of one heap object race, each through the same small accessor functions (as a
// wrapper type's load() and store()): the same pair of lines, two variables, two bugs. The
// block is published with a relaxed store, which orders nothing.
// CHECK: race account::balance in heap block allocated at Producer race_fields_through_accessors.c:21
// CHECK: race account::limit in heap block allocated at Producer race_fields_through_accessors.c:21
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct account {
  long balance;
  char other[56];
  long limit;
};
static struct account* published;

__attribute__((noinline)) static void Store(long* field, long v) { *field = v; }  // RACE
__attribute__((noinline)) static long Load(const long* field) { return *field; }  // RACE

static void* Producer(void* arg) {
  struct account* a = malloc(sizeof *a);
  Store(&a->balance, 100);
  Store(&a->limit, 500);
  __atomic_store_n(&published, a, __ATOMIC_RELAXED);
  return arg;
}

static void* Consumer(void* arg) {
  struct account* a;
  while (!(a = __atomic_load_n(&published, __ATOMIC_RELAXED))) {
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
