// The twin of clean_future_handoff: main writes the element std::async reads before it
// calls get(). ThreadSanitizer reports it too.
// CHECK: race *
#include <cstdio>
#include <future>
#include <vector>

int main() {
  std::vector<int> v(100);
  std::future<int> g = std::async(std::launch::async, [&] { return v[5] * 2; });  // RACE
  v[5] = 9;  // RACE
  std::printf("%d\n", g.get());
}
