// A config published with a release store and read after an acquire load.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

struct Config {
  std::string name;
  int retries = 0;
};

Config config;
std::atomic<bool> published{false};

int main() {
  std::thread reader([] {
    while (!published.load(std::memory_order_acquire)) std::this_thread::yield();
    std::printf("%s retries=%d\n", config.name.c_str(), config.retries);
  });
  config.name = "primary-database-connection";
  config.retries = 3;
  published.store(true, std::memory_order_release);
  reader.join();
}
