// std::call_once guards a lazily built configuration that the workers then read.
// CHECK: no-race
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

std::once_flag config_once;
std::string config_name;
int config_limit;

void LoadConfig() {
  config_name = "threads-and-barriers";
  config_limit = 17;
}

int main() {
  std::vector<std::thread> workers;
  size_t lengths[4] = {};
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([w, &lengths] {
      std::call_once(config_once, LoadConfig);
      lengths[w] = config_name.size() + config_limit;
    });
  }
  for (auto& t : workers) t.join();
  std::printf("%zu %zu\n", lengths[0], lengths[3]);
}
