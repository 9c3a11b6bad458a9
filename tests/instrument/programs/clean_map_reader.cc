// The fix of race_map_reader: one mutex guards the table for the writer and the reader.
// CHECK: no-race
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

std::map<int, double> prices;
std::mutex prices_mutex;

void Writer() {
  for (int i = 0; i < 20; ++i) {
    {
      std::lock_guard<std::mutex> lock(prices_mutex);
      prices[i] = i * 1.5;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void Reader() {
  int hits = 0;
  for (int i = 0; i < 20; ++i) {
    {
      std::lock_guard<std::mutex> lock(prices_mutex);
      if (prices.find(i / 2) != prices.end()) ++hits;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::printf("%d hits\n", hits);
}

int main() {
  std::thread w(Writer), r(Reader);
  w.join();
  r.join();
}
