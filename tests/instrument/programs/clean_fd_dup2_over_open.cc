// One thread writes to a pipe while another puts /dev/null in its place with dup2, as a
// daemon does to stdout or a server to a socket it retires: the number keeps naming an open
// file throughout, and dup2 only reads it (ThreadSanitizer does not report it either). The
// racy twin, which closes the number instead, is race_fd_close_write.
// CHECK: no-race
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  const int null = open("/dev/null", O_WRONLY);
  std::thread writer([&fds] {
    ssize_t n = write(fds[1], "late", 4);
    std::printf("%zd\n", n > 0);
  });
  dup2(null, fds[1]);
  writer.join();
  close(fds[1]);
  close(fds[0]);
  close(null);
}
