// The twin of race_atomic_pair_plain_copy: main copies the atomic's bytes only after it
// joined the worker that stored to it.
// LINK: -latomic
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

struct Pair {
  long ready;
  long round;
};

std::atomic<Pair> pair{Pair{0, 0}};

void Publisher() {
  pair.store(Pair{1, 1}, std::memory_order_release);
}

int main() {
  std::thread publisher(Publisher);
  publisher.join();
  Pair seen;
  std::memcpy(&seen, static_cast<void*>(&pair), sizeof seen);
  std::printf("%ld\n", seen.ready + pair.load().round);
}
