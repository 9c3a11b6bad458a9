// Bench program (access-heavy): four threads bin a shared read-only input into a histogram
// whose buckets each have their own lock.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

constexpr int kBuckets = 256;

struct Bucket {
  std::mutex mutex;
  long count = 0;
  long sum = 0;
};

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  std::vector<uint32_t> input(n);
  uint32_t x = 12345;
  for (auto& v : input) {
    x = x * 1664525u + 1013904223u;
    v = x >> 8;
  }
  std::vector<Bucket> buckets(kBuckets);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, n, &input, &buckets] {
      for (size_t i = t; i < n; i += 4) {
        Bucket& b = buckets[input[i] % kBuckets];
        std::lock_guard<std::mutex> lock(b.mutex);
        ++b.count;
        b.sum += input[i] & 0xff;
      }
    });
  }
  for (auto& t : threads) t.join();
  long total = 0;
  for (auto& b : buckets) total += b.count + b.sum;
  std::printf("%ld\n", total);
}
