// Two threads hand a token back and forth by compare-exchange, each spinning on failure:
// the worst case for a tracer that records every atomic operation. Usage: cas_pingpong [ROUNDS]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

std::atomic<int> token{0};

void Play(long rounds, int me, int other) {
  for (long i = 0; i < rounds; ++i) {
    int expected = me;
    while (!token.compare_exchange_weak(expected, other)) expected = me;
  }
}

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 100000;
  std::thread a(Play, rounds, 0, 1), b(Play, rounds, 1, 0);
  a.join();
  b.join();
  std::printf("token %d after %ld rounds\n", token.load(), rounds);
  return 0;
}
