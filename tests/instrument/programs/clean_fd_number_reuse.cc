// A server-style table of per-descriptor state, indexed by the descriptor's number: a worker
// finishes with its connection's slot and closes the descriptor; the main thread opens files
// until the kernel hands that number out again, and reuses the slot. The kernel reuses a
// number only once its close is done, so the worker's writes happen before the reuse.
// CHECK: no-race
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
    conns[fd].state = 2;
    close(fd);
  });
  // The lowest free number comes back: `fd` once the worker has closed it.
  int again;
  while ((again = open("/dev/null", O_RDONLY)) != fd) {
    if (again < 0) return 1;
    close(again);
    std::this_thread::yield();
  }
  conns[again] = {0, 1};  // a new connection in the old slot
  std::printf("slot %d reused\n", again);
  close(again);
  worker.join();
}
