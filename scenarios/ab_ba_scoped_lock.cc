// Scenario ab_ba_scoped_lock: the fix of ab_ba_deadlock. Each thread takes both locks at once
// with std::scoped_lock, whose deadlock-avoidance algorithm never waits while holding one of
// them (it tries the second lock and backs off).
//
// STORY: both threads take a_lock and b_lock at once with std::scoped_lock: no deadlock possible
// EXPECT: clean
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

std::mutex a_lock;
std::mutex b_lock;

void A() {
  threadlens_name_thread("ThreadA");
  for (int i = 0; i < 20; ++i) {
    std::scoped_lock both(a_lock, b_lock);
    std::this_thread::sleep_for(1ms);
  }
  std::printf("a: done\n");
}

void B() {
  threadlens_name_thread("ThreadB");
  for (int i = 0; i < 20; ++i) {
    std::scoped_lock both(b_lock, a_lock);  // the order of the arguments does not matter
    std::this_thread::sleep_for(1ms);
  }
  std::printf("b: done\n");
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&a_lock, "a_lock");
  threadlens_name_lock(&b_lock, "b_lock");
  std::thread thread_a(A);
  std::thread thread_b(B);
  thread_a.join();
  thread_b.join();
  return 0;
}
