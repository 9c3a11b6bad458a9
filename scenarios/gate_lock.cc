// Scenario gate_lock: the AB-BA lock orders again, but both paths first take one gate lock, so
// only one thread at a time can hold either inner lock: the cycle can never close.
//
// STORY: opposite orders of a_lock and b_lock, both taken inside gate_lock: cannot deadlock
// EXPECT: clean
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

std::mutex gate_lock;
std::mutex a_lock;
std::mutex b_lock;

void A() {
  threadlens_name_thread("ThreadA");
  for (int i = 0; i < 10; ++i) {
    std::lock_guard<std::mutex> gate(gate_lock);
    std::lock_guard<std::mutex> a(a_lock);
    std::this_thread::sleep_for(1ms);
    std::lock_guard<std::mutex> b(b_lock);
  }
}

void B() {
  threadlens_name_thread("ThreadB");
  for (int i = 0; i < 10; ++i) {
    std::lock_guard<std::mutex> gate(gate_lock);
    std::lock_guard<std::mutex> b(b_lock);
    std::this_thread::sleep_for(1ms);
    std::lock_guard<std::mutex> a(a_lock);
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&gate_lock, "gate_lock");
  threadlens_name_lock(&a_lock, "a_lock");
  threadlens_name_lock(&b_lock, "b_lock");
  std::thread thread_a(A);
  std::thread thread_b(B);
  thread_a.join();
  thread_b.join();
  std::printf("done\n");
  return 0;
}
