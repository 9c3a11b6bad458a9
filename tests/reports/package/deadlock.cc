// Two threads that do deadlock: ctest must fail this test, not hang on it.
#include <chrono>
#include <mutex>
#include <thread>

std::mutex a_mu, b_mu;

int main() {
  std::thread t1([] {
    std::lock_guard<std::mutex> x(a_mu);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> y(b_mu);
  });
  std::thread t2([] {
    std::lock_guard<std::mutex> y(b_mu);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> x(a_mu);
  });
  t1.join();
  t2.join();
  return 0;
}
