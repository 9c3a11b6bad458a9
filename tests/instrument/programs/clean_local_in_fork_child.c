// The twin of race_local_in_fork_child: the child's main increments the local only after
// joining its worker.
// CHECK: no-race
// CHECK: exit 0
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

static void *Bump(void *arg) {
  ++*(int *)arg;
  return NULL;
}

int main(void) {
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    int counter = 0;
    pthread_t t;
    pthread_create(&t, NULL, Bump, &counter);
    pthread_join(t, NULL);
    ++counter;
    _exit(counter > 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
