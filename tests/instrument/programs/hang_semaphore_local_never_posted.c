// A worker waits on a semaphore local to main that main never posts: a hang, the semaphore
// named as main's local variable. The twin, clean_semaphore_local_posted, posts it.
// CHECK: finding hang/sem on local variable ready of main() on T1's stack
// CHECK: exit 86
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
  pthread_join(t, 0);
  sem_destroy(&ready);
  return 0;
}
