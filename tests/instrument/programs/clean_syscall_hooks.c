// The twin of race_syscall_hooks: the worker fills `payload` and then sends a byte through
// the pipe with a raw write(2); main's raw read(2) of it orders the payload before main
// reads it (the hooks carry the descriptor's synchronization, as the libc calls do). The
// buffers are touched after the join.
// CHECK: no-race
#include <pthread.h>
#include <sanitizer/linux_syscall_hooks.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

char msg[8] = "message", buf[8];
int payload;
int fds[2];

static void* worker(void* arg) {
  (void)arg;
  payload = 42;
  __sanitizer_syscall_pre_write(fds[1], msg, 1);
  long w = syscall(SYS_write, fds[1], msg, 1);
  __sanitizer_syscall_post_write(w, fds[1], msg, 1);
  return NULL;
}

int main(void) {
  if (pipe(fds) != 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  __sanitizer_syscall_pre_read(fds[0], buf, sizeof buf);
  long r = syscall(SYS_read, fds[0], buf, sizeof buf);
  __sanitizer_syscall_post_read(r, fds[0], buf, sizeof buf);
  int seen = payload;
  __sanitizer_syscall_pre_getpid();
  long pid = syscall(SYS_getpid);
  __sanitizer_syscall_post_getpid(pid);
  pthread_join(t, NULL);
  msg[0] = 'M';
  buf[0] = 'B';
  __sanitizer_syscall_pre_close(fds[0]);
  syscall(SYS_close, fds[0]);
  __sanitizer_syscall_post_close(0, fds[0]);
  printf("%ld %d %d\n", r, seen, pid > 0);
  return 0;
}
