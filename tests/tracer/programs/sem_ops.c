/* Semaphores: post, wait, a failed trywait, a timed wait that times out, a good trywait. */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static sem_t s;

int main(void) {
  printf("SEM %p\n", (void*)&s);
  sem_init(&s, 0, 0);
  sem_post(&s);
  sem_wait(&s);
  if (sem_trywait(&s) == 0) return 10;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 10 * 1000 * 1000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000;
  }
  if (sem_timedwait(&s, &ts) == 0) return 11;
  sem_post(&s);
  if (sem_trywait(&s) != 0) return 12;
  sem_destroy(&s);
  return 0;
}
