// Two workers bump a global hit counter without a lock.
// CHECK: race counter
#include <cstdio>
#include <thread>

int counter = 0;

void CountHits(int n) {
  for (int i = 0; i < n; ++i) {
    counter = counter + 1;  // RACE
  }
}

int main() {
  std::thread a(CountHits, 1000);
  std::thread b(CountHits, 1000);
  a.join();
  b.join();
  std::printf("counter = %d\n", counter);
}
