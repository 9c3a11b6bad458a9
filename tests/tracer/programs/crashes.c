/* Takes a lock three times, then dies of SIGSEGV: the fatal-signal handler must flush every
 * event before the program dies. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
  printf("M %p\n", (void*)&m);
  fflush(stdout);
  for (int i = 0; i < 3; ++i) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
  }
  volatile int* nowhere = NULL;
  return *nowhere;
}
