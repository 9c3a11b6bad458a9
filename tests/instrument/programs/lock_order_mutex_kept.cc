// The twin of clean_lock_order_mutex_reallocated: the session lives on, and the second
// worker takes the registry's mutex, then the same session's: a lock-order cycle.
// CHECK: finding lock-order
#include <cstdio>
#include <mutex>
#include <thread>

struct Session {
  std::mutex m;
  int requests = 0;
};

std::mutex registry;

int main() {
  Session* first = new Session;
  std::thread a([first] {
    std::lock_guard<std::mutex> session(first->m);
    std::lock_guard<std::mutex> reg(registry);
    ++first->requests;
  });
  a.join();
  std::thread b([first] {
    std::lock_guard<std::mutex> reg(registry);
    std::lock_guard<std::mutex> session(first->m);
    ++first->requests;
  });
  b.join();
  std::printf("%d\n", first->requests);
  delete first;
  return 0;
}
