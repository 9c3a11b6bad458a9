// A POSIX timer with SIGEV_THREAD: the C library runs its callback in a thread of its own
// (started by a helper thread the tracer does not see created, which hands it a block).
// main sets the input before it arms the timer and waits on a semaphore the callback posts:
// both orders hold, no race. (ThreadSanitizer, clang 14, agrees; threadlens reported the
// input, the semaphore and the library's block here before.) Its twin is
// race_timer_thread_callback.
// CHECK: exit 0
// CHECK: no-race
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

long input, output;
sem_t done;

static void Expired(union sigval v) {
  (void)v;
  output = input * 2;
  sem_post(&done);
}

int main(void) {
  sem_init(&done, 0, 0);
  struct sigevent ev = {0};
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = Expired;
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) return 1;
  input = 21;
  struct itimerspec when = {{0, 0}, {0, 10 * 1000 * 1000}};
  timer_settime(timer, 0, &when, NULL);
  sem_wait(&done);
  printf("%ld\n", output);
  timer_delete(timer);
  return 0;
}
