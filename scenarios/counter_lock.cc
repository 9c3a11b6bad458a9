// Scenario counter_lock: the fix of counter_race. Each increment happens under counter_lock,
// so no update is lost.
//
// STORY: the same two threads, each counter += 1 under a std::mutex
// EXPECT: clean
#include <cstdio>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

constexpr int kIncrements = 20000;

std::mutex counter_lock;
long counter = 0;

void Increment(const char* name) {
  threadlens_name_thread(name);
  for (int i = 0; i < kIncrements; ++i) {
    std::lock_guard<std::mutex> guard(counter_lock);
    counter += 1;
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&counter_lock, "counter_lock");
  threadlens_name_variable(&counter, sizeof counter, "counter");

  std::thread first(Increment, "Worker-1");
  std::thread second(Increment, "Worker-2");
  first.join();
  second.join();

  std::printf("counter = %ld (expected %d)\n", counter, 2 * kIncrements);
  return 0;
}
