// A worker write()s a shared buffer into a pipe while main fills the buffer in.
// CHECK: race *
#include <unistd.h>

#include <cstdio>
#include <thread>

char buffer[64] = "first message";

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  std::thread worker([&fds] {
    ssize_t n = write(fds[1], buffer, sizeof buffer);  // RACE
    (void)n;
  });
  buffer[0] = 'F';  // RACE
  worker.join();
  char out[64];
  std::printf("%zd\n", read(fds[0], out, sizeof out));
}
