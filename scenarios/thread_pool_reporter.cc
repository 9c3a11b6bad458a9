// Scenario thread_pool_reporter: pool workers count finished requests under counter_lock, and a
// reporter thread prints the progress reading the counter without the lock, as the tutorial
// does. The fix is thread_pool_reporter_atomic.cc.
//
// STORY: pool workers bump completed under counter_lock; the Reporter reads it without
// EXPECT: race variables=completed threads=Reporter
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

constexpr int kRequests = 40;

// A fixed-size pool, like concurrent.futures.ThreadPoolExecutor.
class ThreadPool {
 public:
  explicit ThreadPool(int workers) {
    threadlens_name_lock(&mutex_, "pool_queue_lock");
    for (int i = 0; i < workers; ++i) {
      workers_.emplace_back([this, i] {
        std::string name = "PoolWorker-" + std::to_string(i);
        threadlens_name_thread(name.c_str());
        Work();
      });
    }
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutting_down_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }
  void Submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push(std::move(task));
    }
    wake_.notify_one();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return shutting_down_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::queue<std::function<void()>> tasks_;
  bool shutting_down_ = false;
  std::vector<std::thread> workers_;
};

std::mutex counter_lock;
int completed = 0;

int GetStatusCode(int request) {
  std::this_thread::sleep_for(1ms);  // stands in for the HTTP request
  std::lock_guard<std::mutex> guard(counter_lock);
  completed += 1;
  return 200;
}

void Report() {
  threadlens_name_thread("Reporter");
  while (completed < kRequests) {  // the bug: read without counter_lock
    std::printf("Completed requests: %d/%d\n", completed, kRequests);
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&counter_lock, "counter_lock");
  threadlens_name_variable(&completed, sizeof completed, "completed");

  std::thread reporter(Report);
  {
    ThreadPool pool(4);
    for (int request = 0; request < kRequests; ++request) {
      pool.Submit([request] { GetStatusCode(request); });
    }
  }
  reporter.join();
  std::printf("all %d requests completed\n", kRequests);
  return 0;
}
