// The twin of lock_order_locals_named: the two mutexes local to main are taken in one order
// by both threads: no lock-order cycle.
// CHECK: no-finding lock-order
#include <cstdio>
#include <mutex>
#include <thread>

int main() {
  std::mutex locks[2];
  int moves = 0;
  std::thread first([&] {
    std::lock_guard<std::mutex> from(locks[0]);
    std::lock_guard<std::mutex> to(locks[1]);
    ++moves;
  });
  first.join();
  std::thread second([&] {
    std::lock_guard<std::mutex> from(locks[0]);
    std::lock_guard<std::mutex> to(locks[1]);
    ++moves;
  });
  second.join();
  std::printf("%d\n", moves);
  return 0;
}
