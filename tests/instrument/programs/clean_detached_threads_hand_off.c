// Thread after thread, each detached: a worker updates `total`, posts a semaphore as its
// last act, and main waits for the post before it starts the next one. Each worker's update
// happens before the next one's through the post and the creation, so nothing races. Many
// rounds: later workers take the clock slots of earlier ones, which ended detached, and the
// analysis stays as small as the threads alive at once. Its twin is
// race_detached_thread_writes_after_hand_off.
// CHECK: no-race
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

enum { kRounds = 300 };
long total;
sem_t done;

static void* Worker(void* arg) {
  total += (long)arg;
  sem_post(&done);
  return NULL;
}

int main(void) {
  sem_init(&done, 0, 0);
  for (long i = 1; i <= kRounds; ++i) {
    pthread_t t;
    pthread_create(&t, NULL, Worker, (void*)i);
    pthread_detach(t);
    sem_wait(&done);
  }
  printf("total %ld\n", total);
  return 0;
}
