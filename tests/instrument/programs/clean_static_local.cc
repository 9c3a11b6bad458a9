// A function-local static built on first use: the thread that constructs it and the ones
// that find it built all read what the constructor wrote.
// CHECK: no-race
#include <cstdio>
#include <thread>
#include <vector>

struct Registry {
  Registry() {
    for (int i = 0; i < 16; ++i) ids[i] = 100 + i;
    count = 16;
  }
  int ids[16];
  int count;
};

__attribute__((noinline)) Registry& Instance() {
  static Registry registry;
  return registry;
}

int main() {
  std::vector<std::thread> workers;
  long sums[4] = {};
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([w, &sums] {
      Registry& r = Instance();
      for (int i = 0; i < r.count; ++i) sums[w] += r.ids[i];
    });
  }
  for (auto& t : workers) t.join();
  std::printf("%ld\n", sums[0] + sums[3]);
}
