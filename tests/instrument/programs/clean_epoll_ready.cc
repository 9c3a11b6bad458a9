// An event loop woken by epoll: one producer fills `from_event` and writes an eventfd
// (registered with the descriptor as its data), another fills `from_pipe` and writes a pipe
// (registered with a pointer as its data). The loop reads each after epoll_pwait2 reported
// its descriptor readable, without reading the descriptor itself: the write that made it
// ready happened before the wait returned. ThreadSanitizer (clang 14) reports the read of
// `from_event`.
// CHECK: no-race
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <thread>

int from_event, from_pipe;
struct Source {
  int fd;
  int* value;
};

int main() {
  int efd = eventfd(0, 0), pipe_fds[2];
  if (efd < 0 || pipe(pipe_fds) != 0) return 1;
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = efd;
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
  Source pipe_source{pipe_fds[0], &from_pipe};
  ev.data.ptr = &pipe_source;
  epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fds[0], &ev);

  std::thread a([&] {
    from_event = 1;
    uint64_t one = 1;
    (void)!write(efd, &one, sizeof one);
  });
  std::thread b([&] {
    from_pipe = 2;
    (void)!write(pipe_fds[1], "x", 1);
  });
  int sum = 0;
  for (int seen = 0; seen < 2;) {
    epoll_event out[2];
    // epoll_pwait2 (Linux 5.11) where the kernel has it, else epoll_wait.
    int n = epoll_pwait2(ep, out, 2, nullptr, nullptr);
    if (n < 0 && errno == ENOSYS) n = epoll_wait(ep, out, 2, -1);
    for (int i = 0; i < n; ++i) {
      if (out[i].data.fd == efd) {
        sum += from_event;
        epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr);
      } else {
        auto* s = static_cast<Source*>(out[i].data.ptr);
        sum += *s->value;
        epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, nullptr);
      }
      ++seen;
    }
  }
  a.join();
  b.join();
  std::printf("%d\n", sum);
}
