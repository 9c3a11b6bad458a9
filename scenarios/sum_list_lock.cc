// Scenario sum_list_lock: a recursive function takes a non-recursive lock on every call, so the
// second call waits for the lock its own thread holds. The fix is sum_list_rlock.cc.
//
// STORY: recursive SumList() re-takes its non-recursive list_lock and waits for itself
// EXPECT: self-deadlock locks=list_lock threads=Worker,MainThread
// WATCHDOG: 1
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

std::mutex list_lock;

int SumList(const std::vector<int>& values, size_t from) {
  std::lock_guard<std::mutex> guard(list_lock);  // the bug: taken again by the recursive call
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
