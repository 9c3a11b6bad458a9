// Two mutexes local to main, taken in both orders by two threads (one after the other, so
// a warning). Locks on a thread's stack are named as its local variables, as DWARF places
// them in its frame then, not "lock first taken in main::$_0::operator()() const". The twin,
// clean_lock_order_locals, takes them in one order.
// CHECK: finding lock-order on local variable locks[1] of main() on T1's stack
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
    std::lock_guard<std::mutex> from(locks[1]);
    std::lock_guard<std::mutex> to(locks[0]);
    ++moves;
  });
  second.join();
  std::printf("%d\n", moves);
  return 0;
}
