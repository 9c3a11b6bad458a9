// Two accounts made at one place, each with its mutex; transfers lock the source first, so
// a transfer each way is a lock-order cycle. Both locks are Account::m of a block allocated
// at one line: the second taken is "#2".
// CHECK: finding lock-order
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct Account {
  long balance = 100;
  std::mutex m;
};

void Transfer(Account& from, Account& to, long amount) {
  std::lock_guard<std::mutex> a(from.m);
  std::lock_guard<std::mutex> b(to.m);
  from.balance -= amount;
  to.balance += amount;
}

int main() {
  std::vector<std::unique_ptr<Account>> accounts;
  for (int i = 0; i < 2; ++i) accounts.push_back(std::make_unique<Account>());
  std::thread one([&] { Transfer(*accounts[0], *accounts[1], 5); });
  one.join();
  std::thread two([&] { Transfer(*accounts[1], *accounts[0], 5); });
  two.join();
  return accounts[0]->balance == 100 ? 0 : 1;
}
