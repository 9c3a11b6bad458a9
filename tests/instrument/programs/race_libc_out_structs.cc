// Arrays and structs a call fills for its caller, each racing a plain write of another
// thread: poll's pollfd array (revents), epoll_wait's events, uname's utsname, getrlimit's
// rlimit, waitpid's status and getpwuid_r's entry. (ThreadSanitizer, clang 14, reports the
// poll, uname, waitpid and getpwuid_r ones.)
// CHECK: race fds[0].revents
// CHECK: race events[0].events
// CHECK: race host.sysname[0]
// CHECK: race limit.rlim_cur
// CHECK: race status
// CHECK: race entry.pw_uid
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
    fds[0].revents = 0;  // RACE
    events[0].events = 0;  // RACE
    host.sysname[0] = 0;  // RACE
    limit.rlim_cur = 0;  // RACE
    status = 0;  // RACE
    entry.pw_uid = 1;  // RACE
  });
  long sum = poll(fds, 1, 0);  // RACE
  sum += epoll_wait(ep, events, 1, 0);  // RACE
  sum += uname(&host);  // RACE
  sum += getrlimit(RLIMIT_NOFILE, &limit);  // RACE
  sum += waitpid(child, &status, 0) == child;  // RACE
  passwd* found = nullptr;
  sum += getpwuid_r(0, &entry, strings, sizeof strings, &found);  // RACE
  writer.join();
  std::printf("%ld\n", sum);
}
