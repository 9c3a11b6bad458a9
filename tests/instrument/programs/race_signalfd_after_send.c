/* The twin of clean_signalfd_handoff: main writes the value after sending the signal, so
 * nothing orders the write before the reader's read. */
// CHECK: race data
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
  printf("%d %u\n", data, info.ssi_signo);  // RACE
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
  kill(getpid(), SIGUSR1);
  data = 9;  // RACE
  pthread_join(t, NULL);
  close(sfd);
  return 0;
}
