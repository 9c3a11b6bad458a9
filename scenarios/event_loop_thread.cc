// Scenario event_loop_thread: an event loop runs in its own thread and owns the load tester's
// state; the UI thread only talks to it through post() (asyncio's call_soon_threadsafe). The
// buggy variant is event_loop_direct_call.cc.
//
// STORY: the UI thread hands every action to the EventLoopThread through a thread-safe post()
// EXPECT: clean
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

constexpr int kRequests = 10;

// A minimal event loop: tasks run one at a time, in order, on the loop's thread.
class EventLoop {
 public:
  EventLoop() { threadlens_name_lock(&mutex_, "loop_queue_lock"); }

  // Thread-safe: may be called from any thread.
  void Post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
    wake_.notify_one();
  }

  void Stop() {
    Post([this] { stopping_ = true; });
  }

  void RunForever() {
    while (!stopping_) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;  // only touched on the loop thread
};

// The tutorial's StressTest: its state belongs to the loop thread.
class LoadTester {
 public:
  LoadTester() {
    threadlens_name_variable(&completed_requests_, sizeof completed_requests_,
                             "completed_requests");
  }
  void MakeRequest(int id) {
    std::this_thread::sleep_for(3ms);  // stands in for the HTTP round trip
    MarkCompleted();
  }
  void MarkCompleted() {
    completed_requests_ += 1;
    if (completed_requests_ % 5 == 0) std::printf("progress: %d requests\n", completed_requests_);
  }
  int completed() const { return completed_requests_; }

 private:
  int completed_requests_ = 0;
};

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  EventLoop loop;
  // Lives as long as the loop's tasks may use it; they hold it by reference.
  auto tester_owner = std::make_unique<LoadTester>();
  LoadTester& tester = *tester_owner;
  std::thread loop_thread([&loop] {
    threadlens_name_thread("EventLoopThread");
    loop.RunForever();
  });

  // The user presses "start": every request is scheduled on the loop.
  for (int id = 0; id < kRequests; ++id) loop.Post([&tester, id] { tester.MakeRequest(id); });
  // One answer came from the UI's cache; count it, on the loop thread.
  loop.Post([&tester] { tester.MarkCompleted(); });

  std::this_thread::sleep_for(60ms);
  loop.Stop();
  loop_thread.join();
  std::printf("completed %d of %d requests\n", tester.completed(), kRequests + 1);
  return 0;
}
