// The function-local static is built safely, but two threads then change it unlocked.
// CHECK: race *
#include <cstdio>
#include <thread>

struct Counter {
  Counter() : hits(1) {}
  int hits;
};

__attribute__((noinline)) Counter& Instance() {
  static Counter counter;
  return counter;
}

int main() {
  std::thread a([] { Instance().hits += 1; });  // RACE
  std::thread b([] { Instance().hits += 2; });  // RACE
  a.join();
  b.join();
  std::printf("%d\n", Instance().hits);
}
