/* A thread waits for SIGUSR1 with sigwait; main fills a buffer, then sends the signal. The
 * sending happens before sigwait returns it, as it happens before a handler starts.
 * ThreadSanitizer (clang 14) reports this as a data race. */
// CHECK: no-race
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
  printf("%d\n", data);
  return NULL;
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* the new thread inherits the mask */
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  data = 9;
  pthread_kill(t, SIGUSR1);
  pthread_join(t, NULL);
  return 0;
}
