/* Leaves with _exit(3), which skips atexit handlers: the trace must still be complete. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
  printf("M %p\n", (void*)&m);
  fflush(stdout);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  _exit(3);
}
