// Scenario lost_wakeup: the loader notifies before the consumer starts waiting, and the consumer
// waits without a predicate, so the one notification is lost and it waits forever. The fix is
// wakeup_with_predicate.cc.
//
// STORY: the Loader notifies before the Consumer waits; cv.wait() without a predicate never wakes
// EXPECT: hang subkind=cond threads=Consumer,MainThread
// WATCHDOG: 1
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
  data_ready.notify_one();  // nobody waits yet: this notification is lost
}

void Consume() {
  threadlens_name_thread("Consumer");
  std::this_thread::sleep_for(100ms);  // still starting up when the data arrives
  std::unique_lock<std::mutex> lock(data_lock);
  data_ready.wait(lock);  // the bug: waits for a notification instead of for `ready`
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
