// A worker dereferences a null pointer while main waits to join it: the program crashes
// (SIGSEGV). main was cut short in its join, not hung: no hang, and a warning names the
// worker, the signal and the line.
// CHECK: no-race
// CHECK: exit 139
#include <pthread.h>
#include <stdio.h>

int* volatile target;  // never set
int started;

static void* Worker(void* arg) {
  (void)arg;
  started = 1;
  *target = 1;  // CRASH
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_join(t, NULL);
  printf("%d\n", started);
  return 0;
}
