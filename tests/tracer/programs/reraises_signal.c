/* Cleans up, then ends by its own fatal signal, as a program does after its handler asked it
 * to stop (xz): the handler put back to the default, the signal raised again. */
#include <pthread.h>
#include <signal.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void* Worker(void* arg) {
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  return arg;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_join(t, NULL);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  signal(SIGTERM, SIG_DFL);
  raise(SIGTERM);
  return 0;
}
