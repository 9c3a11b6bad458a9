/* Records more events than one buffer holds, then kills itself with SIGKILL: the trace must
 * stay readable up to the last flushed block. Every other round takes the lock with a
 * trylock, so no round repeats the one before (a repeat would be counted, not written). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
  printf("M %p\n", (void*)&m);
  fflush(stdout);
  for (int i = 0; i < 5000; ++i) {
    if (i % 2 == 0) {
      pthread_mutex_lock(&m);
    } else if (pthread_mutex_trylock(&m) != 0) {
      return 1;
    }
    pthread_mutex_unlock(&m);
  }
  kill(getpid(), SIGKILL);
  return 0;
}
