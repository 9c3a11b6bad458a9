// poll and select as the wake-up of a loop: a producer fills `by_poll` and writes a pipe,
// another fills `by_select` and writes an eventfd; the loop reads each value once poll or
// select reported its descriptor readable, without reading the descriptor. The write that
// made it ready happened before the wait returned. ThreadSanitizer (clang 14) reports the
// read of `by_poll`.
// CHECK: no-race
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <thread>

int by_poll, by_select;

int main() {
  int pipe_fds[2], efd = eventfd(0, 0);
  if (efd < 0 || pipe(pipe_fds) != 0) return 1;
  std::thread a([&] {
    by_poll = 1;
    (void)!write(pipe_fds[1], "x", 1);
  });
  std::thread b([&] {
    by_select = 2;
    uint64_t one = 1;
    (void)!write(efd, &one, sizeof one);
  });
  pollfd p{pipe_fds[0], POLLIN, 0};
  while (poll(&p, 1, -1) != 1) {
  }
  int sum = by_poll;
  fd_set ready;
  do {
    FD_ZERO(&ready);
    FD_SET(efd, &ready);
  } while (select(efd + 1, &ready, nullptr, nullptr, nullptr) != 1);
  sum += by_select;
  a.join();
  b.join();
  std::printf("%d\n", sum);
}
