// Built with clang's real -fsanitize=thread for `threadlens tsan`: a data race on a global
// and a lock-order inversion, both of which TSan reports in a single run.
#include <cstdio>
#include <mutex>
#include <thread>

long balance = 0;
std::mutex accounts_mutex;
std::mutex audit_mutex;

void Deposit() {
  balance += 10;  // unsynchronized
}

int main() {
  std::thread a(Deposit);
  std::thread b(Deposit);
  a.join();
  b.join();
  {
    std::lock_guard<std::mutex> first(accounts_mutex);
    std::lock_guard<std::mutex> second(audit_mutex);
  }
  std::thread auditor([] {
    std::lock_guard<std::mutex> first(audit_mutex);
    std::lock_guard<std::mutex> second(accounts_mutex);
  });
  auditor.join();
  std::printf("balance = %ld\n", balance);
}
