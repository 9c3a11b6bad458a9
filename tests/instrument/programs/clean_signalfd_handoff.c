/* A thread reads SIGUSR1 from a signalfd; main fills a value, then sends the signal. The
 * sending happens before the read returns it, as it happens before a handler starts.
 * ThreadSanitizer (clang 14) reports this as a data race. */
// CHECK: no-race
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int data;
static int sfd;

static void* reader(void* arg) {
  (void)arg;
  struct signalfd_siginfo info;
  if (read(sfd, &info, sizeof info) != (ssize_t)sizeof info) return NULL;
  printf("%d %u\n", data, info.ssi_signo);
  return NULL;
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* delivered through the descriptor only */
  sfd = signalfd(-1, &set, 0);
  if (sfd < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  data = 9;
  kill(getpid(), SIGUSR1);
  pthread_join(t, NULL);
  close(sfd);
  return 0;
}
