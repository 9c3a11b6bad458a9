// Scenario ab_ba_potential: the code paths of ab_ba_deadlock, timed so that ThreadB only starts
// taking locks after ThreadA let go of both. This run finishes, yet the same code deadlocks
// under another timing: the lock-order graph has the cycle a_lock -> b_lock -> a_lock.
//
// STORY: the AB-BA paths run one after the other and finish; the opposite orders can still deadlock
// EXPECT: lock-order locks=a_lock,b_lock threads=ThreadA,ThreadB
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
  std::lock_guard<std::mutex> a(a_lock);
  std::printf("a: holds a_lock\n");
  std::this_thread::sleep_for(5ms);
  std::lock_guard<std::mutex> b(b_lock);
  std::printf("a: holds both locks\n");
}

void B() {
  threadlens_name_thread("ThreadB");
  // Nothing orders ThreadB after ThreadA but time: a slower ThreadA, and this deadlocks.
  std::this_thread::sleep_for(250ms);
  std::lock_guard<std::mutex> b(b_lock);
  std::printf("b: holds b_lock\n");
  std::this_thread::sleep_for(5ms);
  std::lock_guard<std::mutex> a(a_lock);
  std::printf("b: holds both locks\n");
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
