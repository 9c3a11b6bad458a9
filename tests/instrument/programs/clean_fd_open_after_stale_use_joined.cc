// race_fd_open_after_stale_use's twin: the main thread joins the worker, which drops the
// closed descriptor from its epoll set by its number, before it opens a new descriptor that
// the kernel gives the same number. The join orders the worker's call before the open.
// CHECK: no-race
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

int main() {
  const int ep = epoll_create1(0);
  const int efd = eventfd(0, 0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (ep < 0 || efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) != 0) return 1;
  close(efd);
  std::thread worker([ep, efd] { epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr); });
  worker.join();
  const int again = eventfd(0, 0);
  std::printf("number %s\n", again == efd ? "reused" : "not reused");
  close(again);
  close(ep);
}
