/* A thread that ignores synchronization (AnnotateIgnoreSyncBegin) takes a signal: its
   handler writes a value and publishes it with a release store, which main acquires. The
   handler is not the code that asked to ignore synchronization; its release counts. */
// CHECK: no-race
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);

long value;
int published, ignoring, done;

static void OnSignal(int sig) {
  (void)sig;
  value = 42;
  __atomic_store_n(&published, 1, __ATOMIC_RELEASE);
}

static void *Worker(void *arg) {
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  __atomic_store_n(&ignoring, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
  }
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  return arg;
}

int main(void) {
  signal(SIGUSR1, OnSignal);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  while (!__atomic_load_n(&ignoring, __ATOMIC_ACQUIRE)) {
  }
  pthread_kill(t, SIGUSR1);
  while (!__atomic_load_n(&published, __ATOMIC_ACQUIRE)) {
  }
  printf("%ld\n", value);
  __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
  pthread_join(t, NULL);
  return 0;
}
