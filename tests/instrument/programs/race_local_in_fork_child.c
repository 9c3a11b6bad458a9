// A forked child's main and its worker both increment a local variable of the child's main
// with nothing ordering them: the race is on the child's stack, named as the local variable
// of main() there (the child's trace carries the frames the forking thread had).
// CHECK: race local variable counter of main() on pid N T1's stack
// CHECK: exit 0
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

static void *Bump(void *arg) {
  ++*(int *)arg;  // RACE
  return NULL;
}

int main(void) {
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    int counter = 0;
    pthread_t t;
    pthread_create(&t, NULL, Bump, &counter);
    ++counter;  // RACE
    pthread_join(t, NULL);
    _exit(counter > 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
