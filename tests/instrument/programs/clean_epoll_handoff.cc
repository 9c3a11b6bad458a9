// A worker fills a slot, then registers a descriptor with an epoll set; the main thread
// finds it in epoll_wait and reads the slot.
// CHECK: no-race
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

int slot;

int main() {
  int ep = epoll_create1(0);
  int fds[2];
  if (ep < 0 || pipe(fds) != 0) return 1;
  if (write(fds[1], "r", 1) != 1) return 1;  // readable from the start
  std::thread worker([ep, &fds] {
    slot = 99;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fds[0];
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev);
  });
  epoll_event got{};
  while (epoll_wait(ep, &got, 1, 1000) != 1) {
  }
  std::printf("%d %d\n", slot, got.data.fd == fds[0]);
  worker.join();
}
