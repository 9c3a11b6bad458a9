// Scenario sum_list_rlock: the fix of sum_list_lock. A std::recursive_mutex (Python's RLock)
// lets the thread that holds it take it again.
//
// STORY: the same recursive SumList() with a std::recursive_mutex
// EXPECT: clean
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

std::recursive_mutex list_lock;

int SumList(const std::vector<int>& values, size_t from) {
  std::lock_guard<std::recursive_mutex> guard(list_lock);
  if (from == values.size()) return 0;
  return values[from] + SumList(values, from + 1);
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&list_lock, "list_lock");

  std::vector<int> values = {1, 2, 3, 4};
  int total = 0;
  std::thread worker([&] {
    threadlens_name_thread("Worker");
    total = SumList(values, 0);
  });
  worker.join();
  std::printf("sum = %d\n", total);
  return 0;
}
