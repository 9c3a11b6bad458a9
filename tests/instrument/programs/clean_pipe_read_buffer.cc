// A worker read()s a message from a pipe into a shared buffer; main reads it after the join.
// CHECK: no-race
#include <unistd.h>

#include <cstdio>
#include <thread>

char buffer[128];

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  if (write(fds[1], "message through the pipe", 25) != 25) return 1;
  std::thread worker([&fds] {
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    (void)n;
  });
  worker.join();
  char first = buffer[0];
  std::printf("%d %s\n", first, buffer);
}
