// An idle worker polling a queue under a mutex: it takes the lock, finds the std::deque empty,
// gives the lock back and yields, again and again, while main pushes ITEMS items 2 ms apart
// (100 by default), then tells it to stop. For the trace volume of polls through a lock.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

int main(int argc, char** argv) {
  const int items = argc > 1 ? std::atoi(argv[1]) : 100;
  std::mutex m;
  std::deque<int> queue;
  bool stop = false;
  std::thread worker([&] {
    long sum = 0, idle = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(m);
      if (!queue.empty()) {
        sum += queue.front();
        queue.pop_front();
        continue;
      }
      if (stop) break;
      lock.unlock();
      ++idle;
      std::this_thread::yield();
    }
    std::printf("sum %ld, %s\n", sum, idle > 0 ? "idled" : "never idle");
  });
  for (int i = 0; i < items; ++i) {
    {
      std::lock_guard<std::mutex> lock(m);
      queue.push_back(i);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  {
    std::lock_guard<std::mutex> lock(m);
    stop = true;
  }
  worker.join();
  return 0;
}
