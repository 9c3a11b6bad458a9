/* The twin of clean_sigwait_handoff: main writes the value after sending the signal, so
 * nothing orders the write before the waiter's read. */
// CHECK: race data
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

static int data;

static void* waiter(void* arg) {
  (void)arg;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  int sig = 0;
  if (sigwait(&set, &sig) != 0) return NULL;
  printf("%d\n", data);  // RACE
  return NULL;
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_kill(t, SIGUSR1);
  data = 9;  // RACE
  pthread_join(t, NULL);
  return 0;
}
