// Two threads take two locks in opposite orders; the second starts late enough that they
// do not deadlock this time, but the lock-order cycle can.
#include <chrono>
#include <mutex>
#include <thread>

std::mutex accounts_mu, audit_mu;

int main() {
  std::thread a([] {
    std::lock_guard<std::mutex> x(accounts_mu);
    std::lock_guard<std::mutex> y(audit_mu);
  });
  std::thread b([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::lock_guard<std::mutex> y(audit_mu);
    std::lock_guard<std::mutex> x(accounts_mu);
  });
  a.join();
  b.join();
  return 0;
}
