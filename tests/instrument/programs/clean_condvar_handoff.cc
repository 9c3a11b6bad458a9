// A producer hands batches to a consumer through a mutex, a condition variable and a queue.
// CHECK: no-race
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

std::mutex queue_mutex;
std::condition_variable queue_cv;
std::deque<std::vector<int>> batches;
bool done = false;

int main() {
  long sum = 0;
  std::thread consumer([&sum] {
    for (;;) {
      std::unique_lock<std::mutex> lock(queue_mutex);
      queue_cv.wait(lock, [] { return !batches.empty() || done; });
      if (batches.empty()) return;
      std::vector<int> batch = std::move(batches.front());
      batches.pop_front();
      lock.unlock();
      for (int v : batch) sum += v;
    }
  });
  for (int b = 0; b < 20; ++b) {
    std::vector<int> batch(50, b);
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      batches.push_back(std::move(batch));
    }
    queue_cv.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(queue_mutex);
    done = true;
  }
  queue_cv.notify_one();
  consumer.join();
  std::printf("sum = %ld\n", sum);
}
