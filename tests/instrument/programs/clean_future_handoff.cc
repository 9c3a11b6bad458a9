// A worker fills a vector and sets a std::promise; main waits on its future, reads the
// vector, then hands it to std::async and takes the result with get(). The promise's state
// is a mutex, a condition variable and an atomic in libstdc++. ThreadSanitizer (clang 14)
// agrees: no race.
// CHECK: no-race
#include <cstdio>
#include <future>
#include <thread>
#include <vector>

int main() {
  std::vector<int> v(100);
  std::promise<void> filled;
  std::future<void> f = filled.get_future();
  std::thread a([&] {
    for (int& x : v) x = 3;
    filled.set_value();
  });
  f.wait();
  int sum = 0;
  for (int x : v) sum += x;
  std::future<int> g = std::async(std::launch::async, [&] { return v[5] * 2; });
  std::printf("%d %d\n", sum, g.get());
  a.join();
}
