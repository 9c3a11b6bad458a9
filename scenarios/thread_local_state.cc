// Scenario thread_local_state: each worker keeps its statistics in thread_local variables and
// hands the totals over under a lock at the end. thread_local data is per thread, so the busy
// updates are never a race.
//
// STORY: workers count in thread_local variables, then add their totals under a lock
// EXPECT: clean
#include <cstdio>
#include <latch>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

constexpr int kWorkers = 3;
constexpr int kRequestsPerWorker = 2000;

// One copy per thread, like Python's threading.local().
thread_local std::mt19937 rng{std::random_device{}()};
thread_local long requests_handled = 0;
thread_local long bytes_sent = 0;

std::mutex results_lock;
long total_requests = 0;
long total_bytes = 0;

void HandleRequest() {
  std::uniform_int_distribution<int> response_size(200, 4000);
  requests_handled += 1;
  bytes_sent += response_size(rng);
}

void Work(int id, std::latch& start) {
  std::string name = "Worker-" + std::to_string(id);
  threadlens_name_thread(name.c_str());
  start.arrive_and_wait();  // all workers serve at the same time
  for (int i = 0; i < kRequestsPerWorker; ++i) HandleRequest();

  std::lock_guard<std::mutex> guard(results_lock);
  total_requests += requests_handled;
  total_bytes += bytes_sent;
  std::printf("%s: %ld requests, %ld bytes\n", name.c_str(), requests_handled, bytes_sent);
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_lock(&results_lock, "results_lock");
  threadlens_name_variable(&total_requests, sizeof total_requests, "total_requests");
  threadlens_name_variable(&total_bytes, sizeof total_bytes, "total_bytes");

  std::vector<std::thread> workers;
  std::latch start(kWorkers);
  for (int id = 1; id <= kWorkers; ++id) workers.emplace_back(Work, id, std::ref(start));
  for (std::thread& worker : workers) worker.join();
  std::printf("total: %ld requests, %ld bytes\n", total_requests, total_bytes);
  return 0;
}
