// Scenario queue_stop_event: the fix of queue_stop_event_hang. The consumer waits for a message
// with a timeout, so it gets back to checking the stop event even when nothing comes.
//
// STORY: the Consumer's get() has a timeout, so it sees the stop event and exits
// EXPECT: clean
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

class Event {
 public:
  void Set() {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = true;
  }
  bool IsSet() {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_;
  }

 private:
  std::mutex mutex_;
  bool set_ = false;
};

class Queue {
 public:
  Queue() { threadlens_name_lock(&mutex_, "queue_lock"); }

  void Put(int item) {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(item);
    not_empty_.notify_one();
  }
  // queue.get(timeout=...): empty when nothing arrived in time.
  std::optional<int> Get(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return !items_.empty(); })) {
      return std::nullopt;
    }
    int item = items_.front();
    items_.pop_front();
    return item;
  }
  bool Empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    return items_.empty();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::deque<int> items_;
};

void Produce(Queue& queue, Event& stop) {
  threadlens_name_thread("Producer");
  int message = 0;
  while (!stop.IsSet()) {
    queue.Put(++message);
    std::this_thread::sleep_for(100ms);  // the next message takes a while to arrive
  }
  std::printf("Producer received event. Exiting\n");
}

void Consume(Queue& queue, Event& stop) {
  threadlens_name_thread("Consumer");
  while (!stop.IsSet() || !queue.Empty()) {
    if (std::optional<int> message = queue.Get(10ms)) {
      std::printf("Consumer storing message: %d\n", *message);
    }
  }
  std::printf("Consumer received event. Exiting\n");
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  Queue queue;
  Event stop;
  std::thread producer(Produce, std::ref(queue), std::ref(stop));
  std::thread consumer(Consume, std::ref(queue), std::ref(stop));

  std::this_thread::sleep_for(150ms);  // between two messages
  std::printf("Main: about to set event\n");
  stop.Set();

  producer.join();
  consumer.join();
  return 0;
}
