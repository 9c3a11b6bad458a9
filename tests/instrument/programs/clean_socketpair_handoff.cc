// Requests travel one way over a socketpair and answers back: each side fills a shared slot
// before send() and the other reads it after recv().
// CHECK: no-race
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

int request_slot;
int answer_slot;

int main() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  std::thread server([&sv] {
    for (int i = 0; i < 10; ++i) {
      char c;
      if (recv(sv[1], &c, 1, 0) != 1) return;
      answer_slot = request_slot * 2;
      if (send(sv[1], "a", 1, 0) != 1) return;
    }
  });
  long total = 0;
  for (int i = 0; i < 10; ++i) {
    request_slot = i;
    if (send(sv[0], "q", 1, 0) != 1) return 1;
    char c;
    if (recv(sv[0], &c, 1, 0) != 1) return 1;
    total += answer_slot;
  }
  server.join();
  std::printf("%ld\n", total);
}
