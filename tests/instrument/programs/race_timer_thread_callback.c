// The twin of clean_timer_thread_callback: main sets the input only after it armed the
// timer, so the callback's read of it races.
// CHECK: exit 0
// CHECK: race input
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

long input, output;
sem_t done;

static void Expired(union sigval v) {
  (void)v;
  output = input * 2;  // RACE
  sem_post(&done);
}

int main(void) {
  sem_init(&done, 0, 0);
  struct sigevent ev = {0};
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = Expired;
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) return 1;
  struct itimerspec when = {{0, 0}, {0, 10 * 1000 * 1000}};
  timer_settime(timer, 0, &when, NULL);
  input = 21;  // RACE
  sem_wait(&done);
  printf("%ld\n", output);
  timer_delete(timer);
  return 0;
}
