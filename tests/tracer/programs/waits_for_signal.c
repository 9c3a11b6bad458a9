/* Prints its pid, then sleeps argv[1] tenths of a second (default 300): a program to signal
 * or to run twice at once. SIGUSR1 ends it early and cleanly, as a server's graceful stop. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop;

static void OnUsr1(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char** argv) {
  int tenths = argc > 1 ? atoi(argv[1]) : 300;
  signal(SIGUSR1, OnUsr1);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  printf("PID %d\n", (int)getpid());
  fflush(stdout);
  for (int i = 0; i < tenths && !stop; ++i) usleep(100 * 1000);
  if (stop) printf("stopped by SIGUSR1\n");
  return 0;
}
