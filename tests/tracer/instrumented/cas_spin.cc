// A compare-exchange ping-pong (argv[1] rounds) between two threads that spin on failure,
// and a plain counter handed over with the token: the spins fold into counted records and
// the handover stays race-free.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

std::atomic<int> token{0};
long handed;  // plain: ordered by the token's acquire/release

// The token says whose turn it is (0 or 1); a thread claims its turn by compare-exchange
// (me -> me + 2), spinning while it is the other's, bumps the counter and hands over.
void Play(long rounds, int me, int other) {
  for (long i = 0; i < rounds; ++i) {
    int expected = me;
    while (!token.compare_exchange_weak(expected, me + 2, std::memory_order_acq_rel,
                                        std::memory_order_acquire)) {
      expected = me;
    }
    ++handed;
    token.store(other, std::memory_order_release);
  }
}

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 2000;
  std::printf("TOKEN %p\n", static_cast<void*>(&token));
  std::thread a(Play, rounds, 0, 1), b(Play, rounds, 1, 0);
  a.join();
  b.join();
  std::printf("handed %ld\n", handed);
  return 0;
}
