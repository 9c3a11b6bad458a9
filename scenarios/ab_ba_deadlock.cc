// Scenario ab_ba_deadlock: the tutorial's AB-BA deadlock. One thread takes a_lock then b_lock,
// the other b_lock then a_lock, with a pause in between, so each ends up holding the lock the
// other waits for. The fixes are ab_ba_scoped_lock.cc and gate_lock.cc.
//
// STORY: ThreadA holds a_lock and waits for b_lock; ThreadB holds b_lock and waits for a_lock
// EXPECT: deadlock locks=a_lock,b_lock threads=ThreadA,ThreadB,MainThread
// WATCHDOG: 1
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
  std::this_thread::sleep_for(100ms);  // long enough for b() to take b_lock
  std::lock_guard<std::mutex> b(b_lock);
  std::printf("a: holds both locks\n");
}

void B() {
  threadlens_name_thread("ThreadB");
  std::lock_guard<std::mutex> b(b_lock);
  std::printf("b: holds b_lock\n");
  std::this_thread::sleep_for(100ms);
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
