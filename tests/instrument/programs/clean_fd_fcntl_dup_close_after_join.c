// The twin of race_fd_fcntl_dup_close_write: main closes the duplicated descriptor only after
// the worker that writes to it is joined.
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int copy;

static void* Writer(void* arg) {
  const ssize_t n = write(copy, "done", 4);
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
  pthread_join(w, NULL);
  close(copy);
  close(fds[0]);
  close(fds[1]);
  return 0;
}
