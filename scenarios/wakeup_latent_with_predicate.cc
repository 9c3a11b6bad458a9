// Scenario wakeup_latent_with_predicate: the fix of lost_wakeup_latent. The consumer waits for
// `ready`, set under the lock before the notification: whichever thread comes first, nothing
// is lost, and `--predict` finds no schedule that hangs.
//
// STORY: the Consumer waits for `ready`; a notification sent first is remembered by it
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
  std::this_thread::sleep_for(100ms);  // a slow source: the consumer waits by now
  {
    std::lock_guard<std::mutex> guard(data_lock);
    data = "42 rows";
    ready = true;
  }
  data_ready.notify_one();
}

void Consume() {
  threadlens_name_thread("Consumer");
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
