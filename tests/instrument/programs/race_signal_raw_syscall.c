// The twin of clean_signal_raw_syscall: main fills in the value only after it sent the
// signal, so the handler's read of it races.
// CHECK: race value
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
  seen = value;  // RACE
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
  syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
  value = 42;  // RACE
  pthread_join(t, NULL);
  printf("%ld\n", seen);
  return 0;
}
