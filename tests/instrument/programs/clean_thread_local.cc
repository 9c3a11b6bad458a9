// Each thread counts into its own thread_local, then adds it to the total under a lock.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

thread_local long local_count = 0;
long total = 0;
std::mutex total_mutex;

void Work(int n) {
  for (int i = 0; i < n; ++i) local_count += i % 3;
  std::lock_guard<std::mutex> lock(total_mutex);
  total += local_count;
}

int main() {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(Work, 1000);
  for (auto& t : threads) t.join();
  std::printf("total = %ld\n", total);
}
