// main shares a local total with a worker by reference and updates it concurrently.
// CHECK: race local variable total of main() on T1's stack
#include <cstdio>
#include <thread>

int main() {
  long total = 0;
  std::thread worker([&total] {
    for (int i = 0; i < 100; ++i) total += i;  // RACE
  });
  for (int i = 0; i < 100; ++i) total -= i;  // RACE
  worker.join();
  std::printf("total = %ld\n", total);
}
