// Scenario lost_wakeup_latent: the consumer waits without a predicate, as in lost_wakeup, but
// here the loader is slow, so in a normal run the consumer is already waiting when the
// notification comes and nothing hangs. The bug is still there: had the loader been first, the
// notification would have been lost. The fix is wakeup_latent_with_predicate.cc.
//
// STORY: the Consumer waits before the slow Loader notifies; only `--predict` shows the loss
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
std::string data;

void Load() {
  threadlens_name_thread("Loader");
  std::this_thread::sleep_for(100ms);  // a slow source: the consumer waits by now
  {
    std::lock_guard<std::mutex> guard(data_lock);
    data = "42 rows";
  }
  data_ready.notify_one();
}

void Consume() {
  threadlens_name_thread("Consumer");
  std::unique_lock<std::mutex> lock(data_lock);
  data_ready.wait(lock);  // the bug: waits for a notification instead of for a condition
  std::printf("consumer got %s\n", data.c_str());
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&data_lock, "data_lock");
  std::thread loader(Load);
  std::thread consumer(Consume);
  loader.join();
  consumer.join();
  return 0;
}
