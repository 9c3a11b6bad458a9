// The C library's eventfd_write and eventfd_read, which reach the kernel without read(2) and
// write(2): the worker writes its result only after it signalled, so the main thread's read
// of it races. Its twin is clean_eventfd_wrappers.
// CHECK: race result
#include <pthread.h>
#include <stdio.h>
#include <sys/eventfd.h>

int efd;
long result;

static void* Worker(void* arg) {
  (void)arg;
  eventfd_write(efd, 1);
  result = 6 * 7;  // RACE
  return NULL;
}

int main(void) {
  efd = eventfd(0, 0);
  if (efd < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  eventfd_t count = 0;
  if (eventfd_read(efd, &count) != 0) return 1;
  long seen = result;  // RACE
  pthread_join(t, NULL);
  printf("%ld %d\n", seen, count == 1);
  return 0;
}
