/* A forked child's two threads increment a global with nothing between them: a race in the
 * child, on a variable of the image it shares with its parent. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int child_counter;

static void* Worker(void* arg) {
  (void)arg;
  child_counter++;
  return NULL;
}

int main(void) {
  pid_t pid = fork();
  if (pid == 0) {
    pthread_t t;
    pthread_create(&t, NULL, Worker, NULL);
    child_counter++;
    pthread_join(t, NULL);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("%d\n", child_counter);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
