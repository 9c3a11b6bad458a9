// Scenario wakeup_with_predicate: the fix of lost_wakeup. The consumer waits for the condition
// (ready), not for a notification: if the data came first, wait() returns at once.
//
// STORY: the Consumer waits for `ready`, not for a notification: nothing is lost
// EXPECT: clean
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

std::mutex data_lock;
std::condition_variable data_ready;
bool ready = false;
std::string data;

void Load() {
  threadlens_name_thread("Loader");
  {
    std::lock_guard<std::mutex> guard(data_lock);
    data = "42 rows";
    ready = true;
  }
  data_ready.notify_one();  // nobody waits yet; `ready` remembers it
}

void Consume() {
  threadlens_name_thread("Consumer");
  std::this_thread::sleep_for(30ms);  // still starting up when the data arrives
  std::unique_lock<std::mutex> lock(data_lock);
  data_ready.wait(lock, [] { return ready; });
  std::printf("consumer got %s\n", data.c_str());
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&data_lock, "data_lock");
  threadlens_name_variable(&ready, sizeof ready, "ready");
  std::thread loader(Load);
  std::thread consumer(Consume);
  loader.join();
  consumer.join();
  return 0;
}
