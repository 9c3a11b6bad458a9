// Timers that send a signal: main writes what the handler reads, then arms the timer
// (ualarm, then a POSIX timer with SIGEV_SIGNAL). main blocks the signals, so the handlers
// run on a worker. Arming a timer is a send of its signal to come, as kill is: the writes
// before it happen before the handler. (ThreadSanitizer, clang 14, reports races in both
// handlers; threadlens reported both reads before.) Its twin is race_timer_signal_after_setup.
// CHECK: exit 0
// CHECK: no-race
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
  seen += alarm_input;
  sem_post(&done);
}

static void OnTimer(int sig) {
  (void)sig;
  seen += timer_input;
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

  alarm_input = 1;
  ualarm(20000, 0);
  while (sem_wait(&done) != 0) {
  }

  struct sigevent ev = {0};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR2;
  timer_t timer;
  if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0) return 1;
  timer_input = 2;
  struct itimerspec when = {{0, 0}, {0, 20 * 1000 * 1000}};
  timer_settime(timer, 0, &when, NULL);
  while (sem_wait(&done) != 0) {
  }
  timer_delete(timer);
  printf("%ld\n", seen);
  return 0;
}
