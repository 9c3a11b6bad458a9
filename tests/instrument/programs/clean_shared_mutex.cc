// A price table: readers take a shared lock, the updater an exclusive one.
// CHECK: no-race
#include <cstdio>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

std::shared_mutex table_mutex;
std::map<std::string, double> prices = {{"ACME", 10.0}, {"INITECH", 20.0}};

double Lookup(const std::string& symbol) {
  std::shared_lock<std::shared_mutex> lock(table_mutex);
  auto it = prices.find(symbol);
  return it == prices.end() ? 0.0 : it->second;
}

void Update(const std::string& symbol, double price) {
  std::unique_lock<std::shared_mutex> lock(table_mutex);
  prices[symbol] = price;
}

int main() {
  std::vector<std::thread> readers;
  double sums[3] = {};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([r, &sums] {
      for (int i = 0; i < 300; ++i) sums[r] += Lookup(i % 2 ? "ACME" : "INITECH");
    });
  }
  std::thread updater([] {
    for (int i = 0; i < 100; ++i) Update(i % 2 ? "ACME" : "UMBRELLA", i);
  });
  for (auto& r : readers) r.join();
  updater.join();
  std::printf("%.1f %.1f %.1f\n", sums[0], sums[1], sums[2]);
}
