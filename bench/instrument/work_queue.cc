// Bench program (lock-heavy): one producer hands small tasks to four consumers through a
// mutex, a condition variable and a std::deque.
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

struct Task {
  int id;
  int weight;
};

std::mutex queue_mutex;
std::condition_variable queue_cv;
std::deque<Task> queue;
bool closed = false;

int main(int argc, char** argv) {
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 200000;
  std::vector<long> done(4, 0);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 4; ++c) {
    consumers.emplace_back([c, &done] {
      long sum = 0;
      for (;;) {
        std::unique_lock<std::mutex> lock(queue_mutex);
        queue_cv.wait(lock, [] { return !queue.empty() || closed; });
        if (queue.empty()) break;
        Task t = queue.front();
        queue.pop_front();
        lock.unlock();
        for (int i = 0; i < t.weight; ++i) sum += (t.id * 31 + i) % 7;
      }
      done[c] = sum;
    });
  }
  for (int i = 0; i < tasks; ++i) {
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back({i, 8 + i % 8});
    }
    queue_cv.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(queue_mutex);
    closed = true;
  }
  queue_cv.notify_all();
  for (auto& t : consumers) t.join();
  std::printf("%ld\n", done[0] + done[1] + done[2] + done[3]);
}
