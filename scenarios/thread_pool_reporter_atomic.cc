// Scenario thread_pool_reporter_atomic: the fix of thread_pool_reporter. The finished-request
// counter is a std::atomic, so the workers and the reporter need no lock for it.
//
// STORY: pool workers bump an atomic completed counter; the Reporter loads it
// EXPECT: clean
#include <atomic>
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

std::atomic<int> completed{0};

int GetStatusCode(int request) {
  std::this_thread::sleep_for(1ms);
  completed.fetch_add(1);
  return 200;
}

void Report() {
  threadlens_name_thread("Reporter");
  for (int done = completed.load(); done < kRequests; done = completed.load()) {
    std::printf("Completed requests: %d/%d\n", done, kRequests);
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
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
