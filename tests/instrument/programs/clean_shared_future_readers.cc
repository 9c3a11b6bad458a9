// A std::packaged_task fills a table on a thread of its own; two std::async readers share
// its result through a std::shared_future and read the table after wait(). The future's
// state is a mutex, a condition variable and an atomic in libstdc++. ThreadSanitizer
// (clang 14) agrees: no race.
// CHECK: no-race
#include <cstdio>
#include <future>
#include <thread>

int table[64];

int main() {
  std::packaged_task<int()> fill([] {
    for (int& x : table) x = 7;
    return 1;
  });
  std::shared_future<int> filled = fill.get_future().share();
  std::thread producer(std::move(fill));
  auto read = [&](int k) {
    filled.wait();
    return table[k];
  };
  std::future<int> a = std::async(std::launch::async, read, 3);
  std::future<int> b = std::async(std::launch::async, read, 40);
  std::printf("%d\n", a.get() + b.get());
  producer.join();
}
