/* Grows its environment with setenv (the array `environ` is then the C library's own heap
 * block), then forks, and the child runs itself again with execve(..., environ), as libuv's
 * test runner does. The exec must see the array the child passed, whatever the tracer adds
 * to the new image's environment. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char** argv) {
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  if (argc > 1 && strcmp(argv[1], "again") == 0) {
    printf("new image %s\n", getenv("EXEC_ENVIRON_MARK"));
    return 0;
  }
  setenv("EXEC_ENVIRON_MARK", "kept", 1);
  /* Blocks right after the array: growing it again moves it. */
  void* after[16];
  for (int i = 0; i < 16; ++i) after[i] = malloc(24);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    char* args[] = {argv[0], "again", NULL};
    execve("/proc/self/exe", args, environ);
    perror("execve");
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  for (int i = 0; i < 16; ++i) free(after[i]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
