// The worker closes its descriptor and only then writes the slot's state: the main thread,
// which got the number back, may already be using the slot for its new connection (the
// slot is conns[N].state, N the number the kernel gave).
// CHECK: race *
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

struct Conn {
  long bytes;
  int state;
};
Conn conns[64];

int main() {
  const int fd = open("/dev/null", O_RDONLY);
  if (fd < 0 || fd >= 64) return 1;
  conns[fd] = {0, 1};
  std::thread worker([fd] {
    conns[fd].bytes += 42;
    close(fd);
    // After the close: the number may already be someone else's.
    conns[fd].state = 0;  // RACE
  });
  int again;
  while ((again = open("/dev/null", O_RDONLY)) != fd) {
    if (again < 0) return 1;
    close(again);
    std::this_thread::yield();
  }
  conns[again] = {0, 1};  // RACE
  std::printf("slot %d reused\n", again);
  close(again);
  worker.join();
}
