// Scenario queue_stop_event_hang: the tutorial's producer/consumer with a stop event. The
// consumer checks the event, then blocks in get(); once the producer has stopped, nobody ever
// puts again and the consumer waits forever. The fix is queue_stop_event.cc.
//
// STORY: the Consumer blocks in queue.get() after the Producer saw the stop event and left
// EXPECT: hang subkind=cond threads=Consumer,MainThread
// WATCHDOG: 1
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

// Python's threading.Event.
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

// Python's queue.Queue(): get() blocks until an item arrives.
class Queue {
 public:
  Queue() { threadlens_name_lock(&mutex_, "queue_lock"); }

  void Put(int item) {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(item);
    not_empty_.notify_one();
  }
  int Get() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
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
    int message = queue.Get();  // the bug: blocks even when no message will ever come
    std::printf("Consumer storing message: %d\n", message);
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
