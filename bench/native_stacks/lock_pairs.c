// Bench program: one thread locks and unlocks a mutex N times from a call chain a few
// functions deep, as application code does. Its run time under `threadlens run`, with and
// without native stack capture, gives the capture's cost per lock pair.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;

__attribute__((noinline)) static void Update(void) {
  pthread_mutex_lock(&m);
  ++counter;
  pthread_mutex_unlock(&m);
}

__attribute__((noinline)) static void Step(long i) {
  if (i >= 0) Update();
}

__attribute__((noinline)) static void Loop(long n) {
  for (long i = 0; i < n; ++i) Step(i);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  Loop(n);
  printf("%ld\n", counter);
  return 0;
}
