// main fills in a value and then signals a worker thread with a raw system call
// (syscall(SYS_tgkill, ...), as code that bypasses the C library's wrappers does); the
// worker's handler reads the value. Sending happens before the handler starts, through the
// raw call as through tgkill. (ThreadSanitizer, clang 14, reports the read.) Its twin is
// race_signal_raw_syscall.
// CHECK: no-race
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long value;
static long seen;
static volatile sig_atomic_t handled;
static pid_t worker_tid;
static sem_t started;

static void Handler(int sig) {
  (void)sig;
  seen = value;
  handled = 1;
}

static void* Worker(void* arg) {
  (void)arg;
  worker_tid = (pid_t)syscall(SYS_gettid);
  sem_post(&started);
  while (!handled) usleep(1000);
  return NULL;
}

int main(void) {
  signal(SIGUSR1, Handler);
  sem_init(&started, 0, 0);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  sem_wait(&started);
  value = 42;
  syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
  pthread_join(t, NULL);
  printf("%ld\n", seen);
  return 0;
}
