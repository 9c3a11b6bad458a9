// The twin of race_getaddrinfo_threads: the worker's read of main's result is joined
// before main frees the list. The threads still resolve at once: the C library's own blocks,
// which it hands between their calls under locks of its own, report nothing.
// CHECK: no-race
#include <netdb.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

int Resolve(int times) {
  int found = 0;
  for (int k = 0; k < times; ++k) {
    addrinfo* res = nullptr;
    if (getaddrinfo("localhost", nullptr, nullptr, &res) == 0) {
      found += res->ai_family != 0;
      freeaddrinfo(res);
    }
  }
  return found;
}

int main() {
  std::vector<std::thread> resolvers;
  std::atomic<int> found{0};
  for (int i = 0; i < 3; ++i) resolvers.emplace_back([&found] { found += Resolve(10); });
  addrinfo* mine = nullptr;
  if (getaddrinfo("localhost", nullptr, nullptr, &mine) != 0) return 1;
  std::atomic<bool> started{false};
  std::thread reader([&] {
    started = true;
    usleep(20000);
    found += mine->ai_family;
  });
  while (!started) {
  }
  reader.join();
  freeaddrinfo(mine);
  for (auto& t : resolvers) t.join();
  std::printf("%d\n", found.load() > 0);
}
