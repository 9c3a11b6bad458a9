// main starts two workers and ends with pthread_exit; the process ends when the last worker
// does, with status 0, after the exit handlers ran. The tracer's watchdog is a thread too: it
// must not keep the process alive once the program's threads are gone (the traced program
// hung for ever here before). Its twin is race_main_ends_with_pthread_exit.
// CHECK: exit 0
// CHECK: no-race
// CHECK: no-finding hang
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
long step;
long total;

static void PrintTotal(void) { printf("%ld\n", total); }

static void* Worker(void* arg) {
  (void)arg;
  usleep(50000);
  pthread_mutex_lock(&lock);
  total += step;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  atexit(PrintTotal);
  step = 21;
  pthread_t t;
  for (int i = 0; i < 2; ++i) {
    pthread_create(&t, NULL, Worker, NULL);
    pthread_detach(t);
  }
  pthread_exit(NULL);
}
