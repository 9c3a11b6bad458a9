// An unmodified program built without optimization, as a user's debug build: two threads
// transfer between two accounts in opposite order and deadlock. std::mutex::lock is a real
// function here, so the site of each pthread_mutex_lock is inside the C++ library's headers;
// only the call stack names transfer().
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

struct Account {
  std::mutex m;
  int balance = 100;
};
Account alice, bob;

void transfer(Account& from, Account& to, int amount) {
  std::lock_guard<std::mutex> first(from.m);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::lock_guard<std::mutex> second(to.m);  // SECOND LOCK
  from.balance -= amount;
  to.balance += amount;
}

void run_transfers() {
  std::thread t1([] { transfer(alice, bob, 10); });
  std::thread t2([] { transfer(bob, alice, 20); });
  t1.join();  // JOIN
  t2.join();
}

int main() {
  run_transfers();
  std::printf("%d %d\n", alice.balance, bob.balance);
}
