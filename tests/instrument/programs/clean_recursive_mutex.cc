// An account whose public methods lock a recursive mutex and call each other.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

class Account {
 public:
  void Deposit(long amount) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    balance_ += amount;
    ++operations_;
  }
  void DepositTwice(long amount) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Deposit(amount);
    Deposit(amount);
  }
  long Balance() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return balance_;
  }

 private:
  std::recursive_mutex mutex_;
  long balance_ = 0;
  long operations_ = 0;
};

Account account;

int main() {
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([] {
      for (int i = 0; i < 200; ++i) account.DepositTwice(1);
    });
  }
  for (auto& c : clients) c.join();
  std::printf("balance = %ld\n", account.Balance());
}
