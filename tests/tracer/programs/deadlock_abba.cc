// AB-BA deadlock: two threads take two std::mutex in opposite orders and both block.
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex a, b;

int main() {
  std::printf("A %p\nB %p\n", static_cast<void*>(&a), static_cast<void*>(&b));
  std::fflush(stdout);
  std::thread t1([] {
    std::lock_guard<std::mutex> ga(a);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> gb(b);
  });
  std::thread t2([] {
    std::lock_guard<std::mutex> gb(b);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> ga(a);
  });
  t1.join();
  t2.join();
  return 0;
}
