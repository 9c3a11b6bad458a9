/* The racy twin of clean_signal_in_ignore_sync.c: the handler publishes with a relaxed
   store, which orders nothing. */
// CHECK: race value
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

void AnnotateIgnoreSyncBegin(const char *file, int line);
void AnnotateIgnoreSyncEnd(const char *file, int line);

long value;
int published, ignoring, done;

static void OnSignal(int sig) {
  (void)sig;
  value = 42;  // RACE
  __atomic_store_n(&published, 1, __ATOMIC_RELAXED);
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
  printf("%ld\n", value);  // RACE
  __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
  pthread_join(t, NULL);
  return 0;
}
