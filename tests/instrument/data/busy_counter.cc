// Memory-heavy, for compressed_trace_test: two threads each fill and sum a buffer of their
// own many times, and both bump a shared counter with no lock (one race).
#include <cstdio>
#include <thread>
#include <vector>

long counter;

void Work(int id) {
  std::vector<int> buf(1 << 16);
  long sum = 0;
  for (int round = 0; round < 8; ++round) {
    for (size_t i = 0; i < buf.size(); i += 3) buf[i] = static_cast<int>(i * 7 + round + id);
    for (size_t i = 0; i < buf.size(); i += 5) sum += buf[i];
  }
  counter += sum & 1;
}

int main() {
  std::thread a(Work, 1), b(Work, 2);
  a.join();
  b.join();
  std::printf("%ld\n", counter);
}
