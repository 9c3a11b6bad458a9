// Scenario dining_philosophers_ordered: the fix of dining_philosophers. Every philosopher takes
// the lower-numbered fork first, so all lock-order edges go up and no cycle can form.
//
// STORY: each philosopher takes the lower-numbered fork first: no cycle, all eat at once
// EXPECT: clean
#include <algorithm>
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
constexpr int kMeals = 3;

std::array<std::mutex, kPhilosophers> forks;

void Dine(int seat) {
  std::string name = "Philosopher-" + std::to_string(seat);
  threadlens_name_thread(name.c_str());
  int first = std::min(seat, (seat + 1) % kPhilosophers);
  int second = std::max(seat, (seat + 1) % kPhilosophers);

  for (int meal = 0; meal < kMeals; ++meal) {
    std::lock_guard<std::mutex> take_first(forks[first]);
    std::this_thread::sleep_for(1ms);
    std::lock_guard<std::mutex> take_second(forks[second]);
    std::this_thread::sleep_for(1ms);
  }
  std::printf("%s ate %d times\n", name.c_str(), kMeals);
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
