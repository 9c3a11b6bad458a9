// Scenario limit_under_lock: the fix of race_behind_log_lock. Both threads touch `limit` while
// holding log_lock, which now protects it: in every order of the two critical sections the
// write and the read are ordered, and `--predict` finds no race.
//
// STORY: `limit` is written and read under log_lock: no reordering makes them race
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
  std::lock_guard<std::mutex> guard(log_lock);
  limit = 20;
  ++updater_logs;
}

void Check() {
  threadlens_name_thread("Checker");
  std::this_thread::sleep_for(50ms);
  long seen;
  {
    std::lock_guard<std::mutex> guard(log_lock);
    ++checker_logs;
    seen = limit;
  }
  if (seen > 15) std::this_thread::yield();
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
