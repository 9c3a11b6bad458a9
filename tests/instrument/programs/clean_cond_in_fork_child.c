// The twin of hang_cond_in_fork_child: a second thread of the child sets the flag and signals
// the condition variable, so the child's wait ends and no hang is found.
// CHECK: no-finding hang
// CHECK: exit 0
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t ready = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;

static void *Signal(void *arg) {
  pthread_mutex_lock(&ready);
  go = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&ready);
  return arg;
}

int main(void) {
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    pthread_t t;
    pthread_create(&t, NULL, Signal, NULL);
    pthread_mutex_lock(&ready);
    while (!go) pthread_cond_wait(&cv, &ready);
    pthread_mutex_unlock(&ready);
    pthread_join(t, NULL);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("child %s\n", WIFEXITED(status) ? "exited" : "stopped");
  return 0;
}
