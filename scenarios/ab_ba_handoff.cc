// Scenario ab_ba_handoff: the AB-BA lock orders of ab_ba_potential, but ThreadB waits for
// ThreadA's "done" flag before it takes any lock. Fork and join do not order the two threads,
// so the lock-order graph's cycle is reported as a potential deadlock; yet in every execution
// ThreadB reads the flag ThreadA sets after releasing both locks, so it can never deadlock.
// `--predict` finds no schedule for the cycle and makes it a warning.
//
// STORY: opposite lock orders, but a flag hands over from one thread to the other: cannot deadlock
// EXPECT: lock-order locks=a_lock,b_lock threads=ThreadA,ThreadB
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

std::mutex a_lock;
std::mutex b_lock;
std::atomic<bool> a_done{false};

void A() {
  threadlens_name_thread("ThreadA");
  {
    std::lock_guard<std::mutex> a(a_lock);
    std::lock_guard<std::mutex> b(b_lock);
    std::printf("a: holds both locks\n");
  }
  a_done.store(true, std::memory_order_release);
}

void B() {
  threadlens_name_thread("ThreadB");
  // Whatever the timing, ThreadB starts on the locks only after ThreadA is past them.
  while (!a_done.load(std::memory_order_acquire)) std::this_thread::sleep_for(1ms);
  std::lock_guard<std::mutex> b(b_lock);
  std::lock_guard<std::mutex> a(a_lock);
  std::printf("b: holds both locks\n");
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&a_lock, "a_lock");
  threadlens_name_lock(&b_lock, "b_lock");
  std::thread thread_b(B);
  std::thread thread_a(A);
  thread_a.join();
  thread_b.join();
  return 0;
}
