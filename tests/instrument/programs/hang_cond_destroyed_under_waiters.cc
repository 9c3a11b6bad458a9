// A pool of detached workers waits on a global std::condition_variable for jobs that no
// longer come, and main returns: the condition variable's destructor runs at exit, and
// glibc's pthread_cond_destroy waits for its waiters to leave their wait, which nothing will
// make them do. The program hangs at exit; the watchdog ends it and the hang names the
// destroy and the workers it waits for. (ThreadSanitizer, clang 14: hangs, after a data race
// report of the destroy against a waiter's read of the condition variable.)
// Its twin is clean_cond_workers_stopped.
// CHECK: exit 86
// CHECK: finding hang/cond-destroy
// CHECK: no-race
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

std::mutex jobs_lock;
std::condition_variable jobs_ready;
std::deque<int> jobs;
int idle_workers;
long done_total;

void Worker() {
  std::unique_lock<std::mutex> lock(jobs_lock);
  for (;;) {
    ++idle_workers;
    jobs_ready.wait(lock, [] { return !jobs.empty(); });
    --idle_workers;
    done_total += jobs.front();
    jobs.pop_front();
  }
}

// Until both workers are back inside their wait (they let go of the lock there) with no job
// left. Jobs go one at a time, so that no worker is ever woken but not yet back: a worker
// between its wakeup and its next wait would read the condition variable unordered with
// the destroy at exit.
void WaitIdle() {
  for (bool idle = false; !idle;) {
    std::lock_guard<std::mutex> g(jobs_lock);
    idle = jobs.empty() && idle_workers == 2;
  }
}

int main() {
  for (int i = 0; i < 2; ++i) std::thread(Worker).detach();
  WaitIdle();
  for (int i = 1; i <= 10; ++i) {
    {
      std::lock_guard<std::mutex> g(jobs_lock);
      jobs.push_back(i);
      jobs_ready.notify_one();
    }
    WaitIdle();
  }
  std::lock_guard<std::mutex> g(jobs_lock);
  std::printf("%ld\n", done_total);
  return 0;
}
