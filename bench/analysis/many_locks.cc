// Bench program for naming many locks: N objects allocated at one site, each with its own
// mutex, locked by two threads in turn. The report names every lock by its object's type and
// field (`Account::mu`), found from the allocation site's debugging information.
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

struct Account {
  long id = 0;
  std::mutex mu;
  long balance = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  std::vector<std::unique_ptr<Account>> accounts;
  for (int i = 0; i < n; ++i) accounts.push_back(std::make_unique<Account>());
  auto work = [&](int from) {
    for (int i = from; i < n; i += 2) {
      std::lock_guard<std::mutex> lock(accounts[i]->mu);
      accounts[i]->balance += i;
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
}
