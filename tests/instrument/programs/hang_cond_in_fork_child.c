// A forked child waits on a global condition variable nobody signals, while its parent waits
// for it in waitpid: the child's watchdog ends the child, and the hang names the child's
// condition variable and mutex by their globals (the child's copies, at the parent's
// addresses), not by an address of the child's.
// CHECK: finding hang/cond on cv
// CHECK: exit 0
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t ready = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;

int main(void) {
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    pthread_mutex_lock(&ready);
    while (!go) pthread_cond_wait(&cv, &ready);
    pthread_mutex_unlock(&ready);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("child %s\n", WIFEXITED(status) ? "exited" : "stopped");
  return 0;
}
