// The twin of clean_timed_mutex: one worker takes the std::timed_mutex (try_lock_for), the
// other counts without it.
// CHECK: race counter
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

std::timed_mutex mu;
long counter;

void Count() {
  for (int i = 0; i < 100; ++i) {
    if (mu.try_lock_for(std::chrono::seconds(5))) {
      counter += 1;  // RACE
      mu.unlock();
    }
  }
}

void CountUnlocked() {
  for (int i = 0; i < 100; ++i) counter += 1;  // RACE
}

int main() {
  std::thread a(Count), b(CountUnlocked);
  a.join();
  b.join();
  std::printf("%ld\n", counter);
}
