// main keeps a counter on its stack and two worker threads add to it through a reference,
// each under the same mutex, while main waits for them.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex mu;

void Count(long& hits) {
  for (int i = 0; i < 1000; ++i) {
    std::lock_guard<std::mutex> lock(mu);
    hits += 1;
  }
}

int main() {
  long hits = 0;
  std::thread a(Count, std::ref(hits)), b(Count, std::ref(hits));
  a.join();
  b.join();
  std::printf("%ld\n", hits);
}
