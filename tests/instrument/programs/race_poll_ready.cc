// The twin of clean_poll_ready with two mistakes: `late` is written after the pipe write
// that wakes poll, and select waits for the eventfd to be writable, which says nothing about
// the thread that wrote `unsignalled` and then wrote the eventfd.
// CHECK: race late
// CHECK: race unsignalled
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

int late, unsignalled;

int main() {
  int pipe_fds[2], efd = eventfd(0, 0);
  if (efd < 0 || pipe(pipe_fds) != 0) return 1;
  std::thread a([&] {
    (void)!write(pipe_fds[1], "x", 1);
    late = 1;  // RACE
  });
  std::thread b([&] {
    unsignalled = 2;  // RACE
    uint64_t one = 1;
    (void)!write(efd, &one, sizeof one);
  });
  pollfd p{pipe_fds[0], POLLIN, 0};
  while (poll(&p, 1, -1) != 1) {
  }
  int sum = late;  // RACE
  // Give b time to write first: a writable report must not order its write even then.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  fd_set writable;
  FD_ZERO(&writable);
  FD_SET(efd, &writable);
  select(efd + 1, nullptr, &writable, nullptr, nullptr);
  sum += unsignalled;  // RACE
  a.join();
  b.join();
  std::printf("%d\n", sum);
}
