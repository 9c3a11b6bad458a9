// The twin of race_signal_handler_in_join: the flag is atomic, so the handler and the
// worker do not race.
// CHECK: no-race
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

static _Atomic int update;
static pthread_t worker;

static void OnAlarm(int sig) {
  (void)sig;
  update = 1;
}

static void* Poll(void* arg) {
  (void)arg;
  for (int i = 0; i < 2000 && !update; ++i) usleep(1000);
  return NULL;
}

__attribute__((noinline)) static void Resolve(void) { pthread_join(worker, NULL); }
__attribute__((noinline)) static void Command(void) {
  Resolve();
  printf("joined\n");
}

int main(void) {
  signal(SIGALRM, OnAlarm);
  sigset_t alarm;
  sigemptyset(&alarm);
  sigaddset(&alarm, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &alarm, NULL);  // the worker starts with it blocked
  pthread_create(&worker, NULL, Poll, NULL);
  pthread_sigmask(SIG_UNBLOCK, &alarm, NULL);
  struct itimerval once = {{0, 0}, {0, 20000}};
  setitimer(ITIMER_REAL, &once, NULL);
  Command();
  return 0;
}
