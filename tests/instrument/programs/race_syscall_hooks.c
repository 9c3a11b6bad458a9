// Raw syscalls wrapped in the sanitizer syscall hooks (<sanitizer/linux_syscall_hooks.h>),
// as a program built for ThreadSanitizer makes them: main writes `msg` to a pipe and reads
// it back into `buf` with syscall(2), while a worker stores into both. The hooks record the
// buffers as the libc calls would. A hook threadlens does not model (getpid's) links and
// records nothing.
// CHECK: race msg[0]
// CHECK: race buf[0]
#include <pthread.h>
#include <sanitizer/linux_syscall_hooks.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

char msg[8] = "message", buf[8];

static void* worker(void* arg) {
  (void)arg;
  msg[0] = 'M'; // RACE
  buf[0] = 'B'; // RACE
  return NULL;
}

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  __sanitizer_syscall_pre_write(fds[1], msg, sizeof msg);
  long w = syscall(SYS_write, fds[1], msg, sizeof msg);
  __sanitizer_syscall_post_write(w, fds[1], msg, sizeof msg); // RACE
  __sanitizer_syscall_pre_read(fds[0], buf, sizeof buf);
  long r = syscall(SYS_read, fds[0], buf, sizeof buf);
  __sanitizer_syscall_post_read(r, fds[0], buf, sizeof buf); // RACE
  __sanitizer_syscall_pre_getpid();
  long pid = syscall(SYS_getpid);
  __sanitizer_syscall_post_getpid(pid);
  pthread_join(t, NULL);
  __sanitizer_syscall_pre_close(fds[0]);
  syscall(SYS_close, fds[0]);
  __sanitizer_syscall_post_close(0, fds[0]);
  printf("%ld %ld %d\n", w, r, pid > 0);
  return 0;
}
