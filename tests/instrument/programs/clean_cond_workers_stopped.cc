// The twin of hang_cond_destroyed_under_waiters: main tells the workers to stop and joins
// them before it returns, so no thread waits on the condition variable when its destructor
// runs at exit.
// CHECK: exit 0
// CHECK: no-finding hang
// CHECK: no-race
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

std::mutex jobs_lock;
std::condition_variable jobs_ready;
std::deque<int> jobs;
bool stopping;
long done_total;

void Worker() {
  std::unique_lock<std::mutex> lock(jobs_lock);
  for (;;) {
    jobs_ready.wait(lock, [] { return stopping || !jobs.empty(); });
    if (jobs.empty()) return;
    done_total += jobs.front();
    jobs.pop_front();
  }
}

int main() {
  std::vector<std::thread> workers;
  for (int i = 0; i < 2; ++i) workers.emplace_back(Worker);
  for (int i = 1; i <= 10; ++i) {
    std::lock_guard<std::mutex> g(jobs_lock);
    jobs.push_back(i);
    jobs_ready.notify_one();
  }
  {
    std::lock_guard<std::mutex> g(jobs_lock);
    stopping = true;
  }
  jobs_ready.notify_all();
  for (std::thread& w : workers) w.join();
  std::printf("%ld\n", done_total);
  return 0;
}
