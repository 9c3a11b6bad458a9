/* A static struct whose fields the compiler keeps as globals of their own (clang's scalar
   replacement at -O1: symbols impl.0, impl.1, impl.2, and debug info that places the variable
   in pieces). Two threads set the function pointer lazily and add to the count with no lock.
   The races are named by the struct's fields; ThreadSanitizer names the symbols, `impl.1`
   and `impl.2`. The second thread starts its work 10 ms late, so that it finds the pointer
   set: had both threads set it, the two races on `impl.fn` (a read and a write against a
   write) would be keyed with their lines, which a run with one of them is not. */
// CHECK: race impl.fn
// CHECK: race impl.calls
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static struct impl {
  const char *name;
  long (*fn)(long);
  long calls;
} impl;

static long twice(long x) { return 2 * x; }

static void *run(void *arg) {
  if (arg) usleep(10000);
  if (!impl.fn) {  // RACE
    impl.name = "twice";
    impl.fn = twice;  // RACE
  }
  impl.calls += impl.fn((long)arg);  // RACE
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%s %ld\n", impl.name, impl.calls);
  return 0;
}
