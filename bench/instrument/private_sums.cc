// Bench program (mostly private): four threads each sum their own slice of a large array,
// several passes, and publish one result each.
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 4000000;
  const int passes = 4;
  std::vector<long> data(n);
  for (size_t i = 0; i < n; ++i) data[i] = static_cast<long>(i % 1000);
  std::vector<long> results(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, n, &data, &results] {
      const size_t begin = n / 4 * t, end = t == 3 ? n : n / 4 * (t + 1);
      long sum = 0;
      for (int p = 0; p < passes; ++p) {
        for (size_t i = begin; i < end; ++i) sum += data[i] * (p + 1);
      }
      results[t] = sum;
    });
  }
  for (auto& t : threads) t.join();
  std::printf("%ld\n", results[0] + results[1] + results[2] + results[3]);
}
