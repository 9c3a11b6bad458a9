/* A daemon-like start: stdout and stderr redirected onto a file (argv[1]) with dup2, every
 * other fd closed (close_range, closefrom-style loop), then 1000 lock rounds and a
 * self-deadlock that the watchdog ends. Its message must reach the original stderr. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

int main(int argc, char** argv) {
  printf("M %p\n", (void*)&m);
  fflush(stdout);
  int fd = open(argc > 1 ? argv[1] : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 1);
  dup2(fd, 2);
  close_range(3, ~0u, 0);
  for (int i = 3; i < 4096; ++i) close(i);
  for (int i = 0; i < 1000; ++i) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
  }
  fprintf(stderr, "redirected\n");
  pthread_mutex_lock(&m);
  pthread_mutex_lock(&m); /* self-deadlock: the watchdog ends the program */
  return 0;
}
