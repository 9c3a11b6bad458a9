// The twin of race_eventfd_wrappers: the worker writes its result, then signals with
// eventfd_write; the main thread's eventfd_read returns after that, so its read of the
// result is ordered. (ThreadSanitizer, clang 14, agrees; threadlens reported a race here
// while only read(2) and write(2) on an eventfd were seen.)
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/eventfd.h>

int efd;
long result;

static void* Worker(void* arg) {
  (void)arg;
  result = 6 * 7;
  eventfd_write(efd, 1);
  return NULL;
}

int main(void) {
  efd = eventfd(0, 0);
  if (efd < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  eventfd_t count = 0;
  if (eventfd_read(efd, &count) != 0) return 1;
  long seen = result;
  pthread_join(t, NULL);
  printf("%ld %d\n", seen, count == 1);
  return 0;
}
