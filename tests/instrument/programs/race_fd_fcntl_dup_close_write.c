// A descriptor made by fcntl(F_DUPFD_CLOEXEC) is an object like dup's: main closes it while
// a worker may still write to it.
// CHECK: race *
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int copy;

static void* Writer(void* arg) {
  const ssize_t n = write(copy, "late", 4);  // RACE
  printf("%zd\n", n);
  return arg;
}

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  copy = fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
  if (copy < 0) return 1;
  pthread_t w;
  pthread_create(&w, NULL, Writer, NULL);
  close(copy);  // RACE
  pthread_join(w, NULL);
  close(fds[0]);
  close(fds[1]);
  return 0;
}
