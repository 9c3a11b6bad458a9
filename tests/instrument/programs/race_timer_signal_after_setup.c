// The twin of clean_timer_signal_after_setup: main writes what each handler reads only after
// it armed the timer, so both reads race.
// CHECK: exit 0
// CHECK: race alarm_input
// CHECK: race timer_input
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

long alarm_input, timer_input, seen;
sem_t done;

static void OnAlarm(int sig) {
  (void)sig;
  seen += alarm_input;  // RACE
  sem_post(&done);
}

static void OnTimer(int sig) {
  (void)sig;
  seen += timer_input;  // RACE
  sem_post(&done);
}

static void* Worker(void* arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(void) {
  sem_init(&done, 0, 0);
  signal(SIGALRM, OnAlarm);
  signal(SIGUSR2, OnTimer);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_detach(t);
  sigset_t both;
  sigemptyset(&both);
  sigaddset(&both, SIGALRM);
  sigaddset(&both, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &both, NULL);

  ualarm(20000, 0);
  alarm_input = 1;  // RACE
  while (sem_wait(&done) != 0) {
  }

  struct sigevent ev = {0};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR2;
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) return 1;
  struct itimerspec when = {{0, 0}, {0, 20 * 1000 * 1000}};
  timer_settime(timer, 0, &when, NULL);
  timer_input = 2;  // RACE
  while (sem_wait(&done) != 0) {
  }
  timer_delete(timer);
  printf("%ld\n", seen);
  return 0;
}
