// Every worker calls pthread_once before reading the table the initializer filled.
// CHECK: no-race
#include <pthread.h>

#include <cstdio>
#include <thread>
#include <vector>

pthread_once_t table_once = PTHREAD_ONCE_INIT;
int table[64];

void FillTable() {
  for (int i = 0; i < 64; ++i) table[i] = i * i;
}

int main() {
  std::vector<std::thread> workers;
  long sums[4] = {};
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([w, &sums] {
      pthread_once(&table_once, FillTable);
      for (int i = 0; i < 64; ++i) sums[w] += table[i];
    });
  }
  for (auto& t : workers) t.join();
  std::printf("%ld\n", sums[0] + sums[3]);
}
