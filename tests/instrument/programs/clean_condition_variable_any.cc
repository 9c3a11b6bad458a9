// A std::condition_variable_any over a std::shared_mutex: the writer fills the data and sets
// the flag under the exclusive lock; the reader waits under a shared lock, then reads.
// (libstdc++: the condition variable keeps a mutex of its own beside the user's lock.)
// ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>

std::shared_mutex mu;
std::condition_variable_any changed;
bool ready = false;
long data[8];

int main() {
  std::thread writer([] {
    for (long& d : data) d = 5;
    std::unique_lock<std::shared_mutex> lock(mu);
    ready = true;
    changed.notify_all();
  });
  long sum = 0;
  {
    std::shared_lock<std::shared_mutex> lock(mu);
    changed.wait(lock, [] { return ready; });
    for (long d : data) sum += d;
  }
  writer.join();
  std::printf("%ld\n", sum);
}
