/* A child that is killed (SIGKILL, nothing flushed at the end) after some locking of its own,
 * beside a parent that goes on: the recording stays readable, the child's trace incomplete. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 3; ++i) {
      pthread_mutex_lock(&m);
      pthread_mutex_unlock(&m);
    }
    raise(SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  printf("CHILD %d %s\n", (int)pid, WIFSIGNALED(status) ? "killed" : "exited");
  return 0;
}
