// The twin of clean_atfork_locks without the prepare handler: the child handler unlocks a
// mutex that no thread held at the fork.
// CHECK: misuse unlock-not-held
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void Unlock(void) { pthread_mutex_unlock(&lock); }

int main(void) {
  pthread_atfork(NULL, NULL, Unlock);
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("child %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}
