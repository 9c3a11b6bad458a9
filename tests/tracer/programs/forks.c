/* fork: parent and child each take a lock; each process must get its own trace. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return 0;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("CHILD %d\n", (int)pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
