// main copies the bytes of a 16-byte std::atomic with memcpy, a plain read, while a worker
// stores to it through libatomic's call: a plain access racing an atomic one is a race.
// (ThreadSanitizer, clang 14, is silent: it sees no access in the call.) Its twin is
// clean_atomic_pair_plain_copy.
// LINK: -latomic
// CHECK: race pair.ready
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
  pair.store(Pair{1, 1}, std::memory_order_release);  // RACE
}

int main() {
  std::thread publisher(Publisher);
  Pair seen;
  std::memcpy(&seen, static_cast<void*>(&pair), sizeof seen);  // RACE
  publisher.join();
  std::printf("%ld\n", seen.ready + pair.load().round);
}
