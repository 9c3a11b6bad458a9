// Descriptors are closed only after the threads that use them are joined; then two threads
// each open and close their own pipes, so the kernel hands a number closed by one thread to
// the other.
// CHECK: no-race
#include <unistd.h>

#include <cstdio>
#include <thread>

void OwnPipes() {
  for (int i = 0; i < 50; ++i) {
    int p[2];
    if (pipe(p) != 0) return;
    char c;
    if (write(p[1], "x", 1) != 1 || read(p[0], &c, 1) != 1) std::printf("short\n");
    close(p[1]);
    close(p[0]);
  }
}

int main() {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  std::thread writer([&fds] {
    if (write(fds[1], "done", 4) != 4) std::printf("short write\n");
  });
  writer.join();
  close(fds[1]);
  char buf[8];
  std::printf("%zd\n", read(fds[0], buf, sizeof buf));
  close(fds[0]);
  std::thread a(OwnPipes), b(OwnPipes);
  a.join();
  b.join();
}
