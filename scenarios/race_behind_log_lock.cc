// Scenario race_behind_log_lock: the Updater sets `limit` without a lock, then logs under
// log_lock; the Checker, a little later, logs under log_lock, then reads `limit` without a
// lock. In a normal run the log lock is taken by one, then the other, which orders the write
// before the read: happens-before sees no race. But log_lock does not protect `limit`: had the
// Checker logged first, its read and the write would be unordered. The fix is
// limit_under_lock.cc.
//
// STORY: an unrelated lock taken in between hides the race on `limit`; only `--predict` shows it
// EXPECT: clean
#include <chrono>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

std::mutex log_lock;
long limit = 10;
long updater_logs = 0, checker_logs = 0;  // each thread's own count

void Update() {
  threadlens_name_thread("Updater");
  limit = 20;  // the bug: no lock
  std::lock_guard<std::mutex> guard(log_lock);
  ++updater_logs;
}

void Check() {
  threadlens_name_thread("Checker");
  std::this_thread::sleep_for(50ms);  // logs after the Updater in a normal run
  {
    std::lock_guard<std::mutex> guard(log_lock);
    ++checker_logs;
  }
  if (limit > 15) std::this_thread::yield();  // the racing read
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&log_lock, "log_lock");
  threadlens_name_variable(&limit, sizeof limit, "limit");
  std::thread updater(Update);
  std::thread checker(Check);
  updater.join();
  checker.join();
  return 0;
}
