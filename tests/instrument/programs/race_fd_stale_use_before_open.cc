// race_fd_open_after_stale_use the other way round: the worker's late call on the closed
// descriptor's number comes first, and only then does the main thread open a new descriptor
// that gets the number back. Nothing orders the two either way, so in another run the call
// lands on the new descriptor: a race whichever came first (ThreadSanitizer, whose open marks
// the descriptor without checking it, reports only the other order).
// CHECK: race *
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
  close(efd);  // before the worker starts: its call comes after the close
  std::thread worker([ep, efd] {
    epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr);  // RACE
  });
  usleep(100 * 1000);
  const int again = eventfd(0, 0);  // RACE
  std::printf("number %s\n", again == efd ? "reused" : "not reused");
  worker.join();
  close(again);
  close(ep);
}
