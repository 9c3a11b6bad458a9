// The twin of hang_semaphore_local_never_posted: main posts the semaphore local to it, and
// the worker returns.
// CHECK: no-finding hang
// CHECK: exit 0
#include <pthread.h>
#include <semaphore.h>

static void *worker(void *arg) {
  sem_wait((sem_t *)arg);
  return 0;
}

int main(void) {
  sem_t ready;
  sem_init(&ready, 0, 0);
  pthread_t t;
  pthread_create(&t, 0, worker, &ready);
  sem_post(&ready);
  pthread_join(t, 0);
  sem_destroy(&ready);
  return 0;
}
