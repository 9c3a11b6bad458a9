// Scenario giant_lock_countdown: the tutorial's GIL demonstration. Two CPU-bound countdown
// threads must hold one global lock to run, so together they are no faster than one; nothing
// is wrong, and the contention profile shows each thread mostly waiting for the lock.
//
// STORY: two countdown threads serialized by one giant lock, like the GIL: no faster than one
// EXPECT: clean
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

constexpr long kCount = 20'000'000;
constexpr long kSlice = 200'000;  // the "switch interval": work done per lock hold

std::mutex giant_lock;

void Countdown(long n) {
  while (n > 0) {
    std::lock_guard<std::mutex> hold(giant_lock);
    volatile long left = n;  // volatile: the countdown must really run
    for (long i = 0; i < kSlice && left > 0; ++i) left = left - 1;
    n = left;
  }
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&giant_lock, "giant_lock");

  auto start = std::chrono::steady_clock::now();
  Countdown(kCount);
  std::printf("one thread:  %.3f s\n", Seconds(start));

  start = std::chrono::steady_clock::now();
  std::thread first([] {
    threadlens_name_thread("Countdown-1");
    Countdown(kCount / 2);
  });
  std::thread second([] {
    threadlens_name_thread("Countdown-2");
    Countdown(kCount / 2);
  });
  first.join();
  second.join();
  std::printf("two threads: %.3f s\n", Seconds(start));
  return 0;
}
