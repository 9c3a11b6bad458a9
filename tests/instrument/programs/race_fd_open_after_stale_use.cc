// An event loop's worker drops a descriptor from its epoll set late, by its number (as
// c-ares's event thread does): the main thread has closed it and opened a new one meanwhile,
// which the kernel gave the same number. Nothing orders the worker's call with the open: the
// number is already the new descriptor's. THREADLENS_TEST_EXTRA_FDS opens that many more
// descriptors first, so that the number differs from run to run.
// CHECK: race *
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

int main() {
  const char* extra = std::getenv("THREADLENS_TEST_EXTRA_FDS");
  for (int k = extra ? std::atoi(extra) : 0; k > 0; --k) open("/dev/null", O_RDONLY);
  const int ep = epoll_create1(0);
  const int efd = eventfd(0, 0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (ep < 0 || efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) != 0) return 1;
  std::thread worker([ep, efd] {
    usleep(100 * 1000);
    epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr);  // RACE
  });
  close(efd);  // the kernel drops it from the set
  const int again = eventfd(0, 0);  // RACE
  std::printf("number %s\n", again == efd ? "reused" : "not reused");
  worker.join();
  close(again);
  close(ep);
}
