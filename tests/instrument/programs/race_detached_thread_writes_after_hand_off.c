// Thread after thread, each detached: a worker posts a semaphore, then updates `last`, and
// main starts the next worker as soon as the post arrives. The update after the post is not
// ordered before the next worker's, which may run at once: a race, even though the later
// workers take the clock slots of ended ones (a worker's slot goes to a later thread only
// when that thread's creator knows its last access). Its twin is
// clean_detached_threads_hand_off.
// CHECK: race last
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

enum { kRounds = 300 };
long last;
sem_t done;

static void* Worker(void* arg) {
  sem_post(&done);
  last = (long)arg;  // RACE
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
  printf("last set\n");
  return 0;
}
