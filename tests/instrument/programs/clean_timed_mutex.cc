// Two workers count under a std::timed_mutex taken with try_lock_for, which libstdc++ builds
// on pthread_mutex_clocklock. ThreadSanitizer (clang 14) does not intercept that call: it
// reports a data race here and an unlock of an unlocked mutex. The lock is a lock.
// CHECK: no-race
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

std::timed_mutex mu;
long counter;

void Count() {
  for (int i = 0; i < 100; ++i) {
    if (mu.try_lock_for(std::chrono::seconds(5))) {
      counter += 1;
      mu.unlock();
    }
  }
}

int main() {
  std::thread a(Count), b(Count);
  a.join();
  b.join();
  std::printf("%ld\n", counter);
}
