// Two threads run lambdas that add to one global with no lock. Lambdas in a template are
// named by their number, which the two symbolizers spell differently
// (Add<long>(long&)::{lambda()#2} against Add<long>(long&)::'lambda0'()): the finding is
// the same bug either way.
// CHECK: race hits
#include <cstdio>
#include <thread>

static long hits;

template <typename T>
void Add(T& total) {
  std::thread a([&total] {
    for (int i = 0; i < 1000; ++i) {
      total = total + 1;  // RACE
      std::this_thread::yield();
    }
  });
  std::thread b([&total] {
    for (int i = 0; i < 1000; ++i) {
      total = total + 2;  // RACE
      std::this_thread::yield();
    }
  });
  a.join();
  b.join();
}

int main() {
  Add(hits);
  std::printf("%ld\n", hits);
  return 0;
}
