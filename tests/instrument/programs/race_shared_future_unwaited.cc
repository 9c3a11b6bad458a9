// The twin of clean_shared_future_readers: one reader waits on the shared_future, the other
// reads the table without waiting. ThreadSanitizer (clang 14) agrees: a race on table.
// CHECK: race table[40]
#include <cstdio>
#include <future>
#include <thread>

int table[64];

int main() {
  std::packaged_task<int()> fill([] {
    for (int& x : table) x = 7;  // RACE
    return 1;
  });
  std::shared_future<int> filled = fill.get_future().share();
  std::thread producer(std::move(fill));
  std::future<int> a = std::async(std::launch::async, [&] {
    filled.wait();
    return table[3];
  });
  std::future<int> b = std::async(std::launch::async, [&] {
    return table[40];  // RACE
  });
  std::printf("%d\n", a.get() + b.get() >= 7);
  producer.join();
}
