// A price table: the writer inserts under no lock while a reader looks prices up. Each
// insert allocates a tree node; the reader's lookups race with the writer's inserts. The
// reader also reads the size, which every insert writes in the program's own code (the
// tree's links are written inside libstdc++, which is not instrumented): the race is there
// whichever thread runs first.
// CHECK: race *
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

std::map<int, double> prices;

void Writer() {
  for (int i = 0; i < 20; ++i) {
    prices[i] = i * 1.5;  // RACE
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void Reader() {
  int hits = 0;
  for (int i = 0; i < 20; ++i) {
    if (prices.size() > 0 && prices.find(i / 2) != prices.end()) ++hits;  // RACE
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  std::printf("%d hits\n", hits);
}

int main() {
  std::thread w(Writer), r(Reader);
  w.join();
  r.join();
}
