// A worker takes a session's mutex, then the registry's; the session is deleted, a new one
// is allocated where it was (the same size, so the same memory), and a second worker takes
// the registry's mutex, then the new session's. These are two mutexes, one after the other
// at one address: no lock-order cycle. (std::mutex's destructor calls nothing the tracer
// sees; the new allocation over the old lock ends it.) The twin, lock_order_mutex_kept,
// takes the first session's mutex in both orders.
// CHECK: no-finding lock-order
#include <cstdint>
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
  const uintptr_t where = reinterpret_cast<uintptr_t>(first);
  std::thread a([first] {
    std::lock_guard<std::mutex> session(first->m);
    std::lock_guard<std::mutex> reg(registry);
    ++first->requests;
  });
  a.join();
  delete first;
  Session* second = new Session;
  if (reinterpret_cast<uintptr_t>(second) != where) {
    std::puts("the allocator did not reuse the block");
    return 2;
  }
  std::thread b([second] {
    std::lock_guard<std::mutex> reg(registry);
    std::lock_guard<std::mutex> session(second->m);
    ++second->requests;
  });
  b.join();
  std::printf("%d\n", second->requests);
  delete second;
  return 0;
}
