// A statistics struct: the request counter is locked, the error counter is not.
// CHECK: race stats.errors
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

struct Stats {
  long requests = 0;
  long errors = 0;
};

Stats stats;
std::mutex stats_mutex;

void Serve(int id) {
  // A failed start-up check counts an error before the worker ever takes the lock, so no
  // schedule orders the workers' updates of `errors`.
  if (id >= 0) ++stats.errors;  // RACE
  for (int i = 0; i < 500; ++i) {
    std::lock_guard<std::mutex> lock(stats_mutex);
    ++stats.requests;
  }
}

int main() {
  std::vector<std::thread> workers;
  for (int id = 0; id < 3; ++id) workers.emplace_back(Serve, id);
  for (auto& w : workers) w.join();
  std::printf("%ld requests, %ld errors\n", stats.requests, stats.errors);
}
