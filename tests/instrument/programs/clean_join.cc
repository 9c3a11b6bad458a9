// A worker computes a result; main reads it after join.
// CHECK: no-race
#include <cstdio>
#include <thread>
#include <vector>

long result = 0;

int main() {
  std::vector<long> squares(1000);
  std::thread worker([&squares] {
    for (size_t i = 0; i < squares.size(); ++i) squares[i] = static_cast<long>(i * i);
    for (long s : squares) result += s;
  });
  worker.join();
  result += squares[999];
  std::printf("result = %ld\n", result);
}
