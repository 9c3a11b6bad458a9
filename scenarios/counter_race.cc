// Scenario counter_race: two workers add to one global counter with no lock, so increments
// are lost. The fix is counter_lock.cc.
//
// STORY: two threads do counter += 1 with no lock; their read-modify-writes interleave
// EXPECT: race variables=counter
#include <cstdio>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

constexpr int kIncrements = 20000;

long counter = 0;

void Increment(const char* name) {
  threadlens_name_thread(name);
  for (int i = 0; i < kIncrements; ++i) {
    counter += 1;  // load, add, store: another thread's store can land in between
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_variable(&counter, sizeof counter, "counter");

  std::thread first(Increment, "Worker-1");
  std::thread second(Increment, "Worker-2");
  first.join();
  second.join();

  std::printf("counter = %ld (expected %d)\n", counter, 2 * kIncrements);
  return 0;
}
