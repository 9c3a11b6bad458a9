/* Prints its pid, then sleeps argv[1] tenths of a second (default 300): a program to signal
 * or to run twice at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char** argv) {
  int tenths = argc > 1 ? atoi(argv[1]) : 300;
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  printf("PID %d\n", (int)getpid());
  fflush(stdout);
  for (int i = 0; i < tenths; ++i) usleep(100 * 1000);
  return 0;
}
