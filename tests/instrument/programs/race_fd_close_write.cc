// One thread closes a descriptor while another may still write to it: the write can reach
// whatever file reuses the number.
// CHECK: race *
#include <unistd.h>

#include <cstdio>
#include <thread>

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  std::thread writer([&fds] {
    ssize_t n = write(fds[1], "late", 4);  // RACE
    std::printf("%zd\n", n);
  });
  close(fds[1]);  // RACE
  writer.join();
  close(fds[0]);
}
