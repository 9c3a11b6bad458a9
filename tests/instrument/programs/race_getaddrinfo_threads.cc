// Threads resolve names at once, and a worker reads an entry of main's result while main
// frees the list: a use after free on the entry's block, which is named at main's call of
// getaddrinfo. (The C library's own blocks, which it hands between the threads' calls under
// locks of its own, are not the program's: nothing is reported on them.)
// CHECK: race *
// CHECK: subkind use-after-free
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
    found += mine->ai_family;  // RACE
  });
  while (!started) {
  }
  freeaddrinfo(mine);  // RACE
  reader.join();
  for (auto& t : resolvers) t.join();
  std::printf("%d\n", found.load() > 0);
}
