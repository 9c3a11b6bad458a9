// Bench program for analysis of many short threads: the shape of a server that starts a
// thread per request. Rounds of four threads each take a request (a small heap buffer),
// fill it, add it up under a mutex and end; main joins them and starts the next four.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

namespace {

std::mutex mu;
unsigned long total = 0;

void Serve(int request) {
  auto buf = std::make_unique<unsigned char[]>(64);
  for (int i = 0; i < 64; ++i) buf[i] = static_cast<unsigned char>(request + i);
  unsigned long sum = 0;
  for (int i = 0; i < 64; ++i) sum += buf[i];
  std::lock_guard<std::mutex> lock(mu);
  total += sum;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 10000;
  for (int i = 0; i < threads; i += 4) {
    std::thread t[4];
    for (int k = 0; k < 4; ++k) t[k] = std::thread(Serve, i + k);
    for (auto& th : t) th.join();
  }
  std::printf("%lu\n", total);
}
