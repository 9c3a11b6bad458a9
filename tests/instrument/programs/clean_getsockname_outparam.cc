// A worker fills a shared address with getsockname(); main reads it after the join.
// CHECK: no-race
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

sockaddr_storage address;

int main() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 1;
  std::thread worker([&fds] {
    socklen_t length = sizeof address;
    getsockname(fds[0], reinterpret_cast<sockaddr*>(&address), &length);
  });
  worker.join();
  int family = address.ss_family;
  std::printf("%d %d\n", family, address.ss_family);
}
