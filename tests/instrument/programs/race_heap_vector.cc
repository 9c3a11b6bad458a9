// Workers fill a shared results vector; two of them write the same slot.
// CHECK: race *
#include <cstdio>
#include <thread>
#include <vector>

void Fill(std::vector<int>* results, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    (*results)[i] = i * i;  // RACE
  }
}

int main() {
  auto* results = new std::vector<int>(100);
  // Off by one: both workers write slot 50.
  std::thread a(Fill, results, 0, 51);
  std::thread b(Fill, results, 50, 50);
  a.join();
  b.join();
  std::printf("%d\n", (*results)[50]);
  delete results;
}
