// The twin of lock_order_heap_accounts: a transfer takes both accounts' mutexes at once
// (std::scoped_lock orders them), so a transfer each way is no lock-order cycle.
// CHECK: no-finding lock-order
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct Account {
  long balance = 100;
  std::mutex m;
};

void Transfer(Account& from, Account& to, long amount) {
  std::scoped_lock both(from.m, to.m);
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
