// The twin of clean_condition_variable_any: the writer sets the flag and notifies without
// taking the lock, so the reader's check of the flag under its shared lock races with it.
// ThreadSanitizer (clang 14) agrees: a race on ready.
// CHECK: race ready
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>

std::shared_mutex mu;
std::condition_variable_any changed;
bool ready = false;

int main() {
  std::thread writer([] {
    ready = true;  // RACE
    changed.notify_all();
  });
  {
    std::shared_lock<std::shared_mutex> lock(mu);
    changed.wait(lock, [] { return ready; });  // RACE
  }
  writer.join();
  std::printf("%d\n", ready);
}
