// The twin of clean_epoll_ready with two mistakes. `late` is written after the eventfd
// write that wakes the loop, so the wake does not order it. And the loop waits for the
// pipe's write end to be writable, which says nothing about the thread that wrote
// `unsignalled` and then wrote into that pipe: only readable reports acquire a sender.
// CHECK: race late
// CHECK: race unsignalled
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

int late, unsignalled;

int main() {
  int efd = eventfd(0, 0), pipe_fds[2];
  if (efd < 0 || pipe(pipe_fds) != 0) return 1;
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = efd;
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);

  std::thread a([&] {
    uint64_t one = 1;
    (void)!write(efd, &one, sizeof one);
    late = 1;  // RACE
  });
  std::thread b([&] {
    unsignalled = 2;  // RACE
    (void)!write(pipe_fds[1], "x", 1);
  });
  epoll_event out;
  epoll_wait(ep, &out, 1, -1);
  int sum = late;  // RACE
  // Give b time to write first: a writable report must not order its write even then.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr);
  ev.events = EPOLLOUT;
  ev.data.fd = pipe_fds[1];
  epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fds[1], &ev);
  epoll_wait(ep, &out, 1, -1);
  sum += unsignalled;  // RACE
  a.join();
  b.join();
  std::printf("%d\n", sum);
}
