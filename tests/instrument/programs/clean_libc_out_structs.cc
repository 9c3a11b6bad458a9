// The twin of race_libc_out_structs: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#include <poll.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

pollfd fds[1];
epoll_event events[1];
utsname host;
rlimit limit;
int status;
passwd entry;
char strings[1024];

int main() {
  int p[2];
  if (pipe(p) != 0 || write(p[1], "x", 1) != 1) return 1;
  fds[0] = {p[0], POLLIN, 0};
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = p[0];
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  pid_t child = fork();
  if (child == 0) _exit(3);
  std::thread writer([] {
    fds[0].revents = 0;
    events[0].events = 0;
    host.sysname[0] = 0;
    limit.rlim_cur = 0;
    status = 0;
    entry.pw_uid = 1;
  });
  writer.join();
  long sum = poll(fds, 1, 0);
  sum += epoll_wait(ep, events, 1, 0);
  sum += uname(&host);
  sum += getrlimit(RLIMIT_NOFILE, &limit);
  sum += waitpid(child, &status, 0) == child;
  passwd* found = nullptr;
  sum += getpwuid_r(0, &entry, strings, sizeof strings, &found);
  std::printf("%ld\n", sum);
}
