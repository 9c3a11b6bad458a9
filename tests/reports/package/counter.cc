// Threads that share a counter under one mutex: nothing to report.
#include <threadlens/threadlens.h>

#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2;
  std::mutex mu;
  threadlens_name_lock(&mu, "counter_mu");
  long counter = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) {
        std::lock_guard<std::mutex> g(mu);
        ++counter;
      }
    });
  }
  for (auto& t : threads) t.join();
  return counter == 1000L * n ? 0 : 1;
}
