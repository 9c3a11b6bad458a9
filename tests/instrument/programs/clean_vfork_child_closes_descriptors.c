// A vfork child closes the parent's pipe before it exits (as some launchers do): the child's
// descriptor table is its own, so the parent's threads still use the pipe, and a writer's
// value reaches the reader through it.
// CHECK: no-race
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

int fds[2];
int value;

static void* Writer(void* arg) {
  (void)arg;
  value = 42;
  if (write(fds[1], "a", 1) != 1) return NULL;
  return NULL;
}

static void* Reader(void* arg) {
  (void)arg;
  char c;
  while (read(fds[0], &c, 1) != 1) {
  }
  value = 43;
  return NULL;
}

int main(void) {
  if (pipe(fds) != 0) return 2;
  const pid_t pid = vfork();
  if (pid == 0) {
    close(fds[0]);
    close(fds[1]);
    _exit(0);
  }
  pthread_t w, r;
  pthread_create(&w, NULL, Writer, NULL);
  pthread_create(&r, NULL, Reader, NULL);
  pthread_join(w, NULL);
  pthread_join(r, NULL);
  printf("%d\n", value);
  return 0;
}
