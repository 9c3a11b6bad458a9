// Scenario dining_philosophers: five philosophers, five forks; each takes the fork on the left,
// then the one on the right. Started one after another, this run finishes, but the lock-order
// graph holds the cycle fork_0 -> fork_1 -> ... -> fork_4 -> fork_0: all five hungry at once
// and nobody eats again. The fix is dining_philosophers_ordered.cc.
//
// STORY: each philosopher takes the left fork, then the right: five forks in a lock-order cycle
// EXPECT: lock-order locks=fork_0,fork_1,fork_2,fork_3,fork_4
#include <array>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

constexpr int kPhilosophers = 5;

std::array<std::mutex, kPhilosophers> forks;

void Dine(int seat) {
  std::string name = "Philosopher-" + std::to_string(seat);
  threadlens_name_thread(name.c_str());
  std::mutex& left = forks[seat];
  std::mutex& right = forks[(seat + 1) % kPhilosophers];

  std::this_thread::sleep_for(seat * 30ms);  // they come to the table one by one
  std::lock_guard<std::mutex> take_left(left);
  std::this_thread::sleep_for(2ms);  // reaching for the other fork
  std::lock_guard<std::mutex> take_right(right);
  std::printf("%s eats\n", name.c_str());
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  for (int i = 0; i < kPhilosophers; ++i) {
    std::string name = "fork_" + std::to_string(i);
    threadlens_name_lock(&forks[i], name.c_str());
  }
  std::vector<std::thread> table;
  for (int seat = 0; seat < kPhilosophers; ++seat) table.emplace_back(Dine, seat);
  for (std::thread& philosopher : table) philosopher.join();
  return 0;
}
