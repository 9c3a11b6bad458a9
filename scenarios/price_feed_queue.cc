// Scenario price_feed_queue: the fix of price_feed_shared_map. The websocket thread hands each
// parsed tick to the trading loop through a bounded blocking queue; nothing else is shared.
//
// STORY: WebSocketThread passes ticks to MainThread through a bounded blocking queue
// EXPECT: clean
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kFrames = {
    R"({"e":"trade","s":"BTCUSDT","p":"43250.10","q":"0.002"})",
    R"({"e":"trade","s":"ETHUSDT","p":"2251.35","q":"0.150"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43248.00","q":"0.010"})",
    R"({"e":"trade","s":"SOLUSDT","p":"61.02","q":"3.000"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43190.55","q":"0.004"})",
    R"({"e":"trade","s":"ETHUSDT","p":"2249.90","q":"0.300"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43120.00","q":"0.021"})",
    R"({"e":"trade","s":"SOLUSDT","p":"60.87","q":"1.500"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43155.25","q":"0.007"})",
    R"({"e":"trade","s":"ETHUSDT","p":"2252.10","q":"0.050"})",
};

struct Tick {
  std::string symbol;
  double price = 0;
};

// A bounded blocking queue, as Python's queue.Queue(maxsize): put() waits while full, get()
// waits while empty; close() wakes the consumer once everything was taken.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {
    threadlens_name_lock(&mutex_, "queue_lock");
  }

  void Put(T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }

  // Empty optional once the queue is closed and drained.
  std::optional<T> Get() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  size_t Size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return items_.size();
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

void RunFeed(BoundedQueue<Tick>& ticks) {
  threadlens_name_thread("WebSocketThread");
  for (const std::string& frame : kFrames) {
    nlohmann::json message = nlohmann::json::parse(frame);
    ticks.Put(
        Tick{message.at("s").get<std::string>(), std::stod(message.at("p").get<std::string>())});
    std::this_thread::sleep_for(1ms);
  }
  ticks.Close();
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  BoundedQueue<Tick> ticks(4);
  std::thread feed(RunFeed, std::ref(ticks));

  // The trading logic owns its prices; only the queue is shared.
  std::unordered_map<std::string, double> last_price;
  int buys = 0;
  size_t max_backlog = 0;
  while (std::optional<Tick> tick = ticks.Get()) {
    last_price[tick->symbol] = tick->price;
    if (tick->symbol == "BTCUSDT" && tick->price < 43200.0) ++buys;
    max_backlog = std::max(max_backlog, ticks.Size());  // a growing backlog means we are slow
    std::this_thread::sleep_for(2ms);
  }
  feed.join();

  std::printf("symbols seen: %zu, buy signals: %d, max backlog: %zu\n", last_price.size(), buys,
              max_backlog);
  return 0;
}
