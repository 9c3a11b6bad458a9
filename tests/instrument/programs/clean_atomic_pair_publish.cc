// Atomics the compiler hands to libatomic: a 16-byte std::atomic (without -mcx16) and a
// 24-byte one. A worker fills in two results and publishes each with a release store, one
// through each atomic; main spins on acquire loads until it sees them, then reads the
// results. A second worker pushes a node onto a tagged-pointer stack head (pointer and
// counter, 16 bytes) with a release compare-exchange and main pops it with an acquire one.
// Every read is ordered after its write. (ThreadSanitizer, clang 14, sees no atomic in those
// calls and reports all three.) Its twin is race_atomic_pair_publish.
// LINK: -latomic
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

struct Pair {
  long ready;
  long round;
};
struct Triple {
  long ready, round, spare;
};
struct Node {
  long value;
  Node* next;
};
struct Head {
  Node* top;
  unsigned long tag;
};

std::atomic<Pair> pair{Pair{0, 0}};
std::atomic<Triple> triple{Triple{0, 0, 0}};
std::atomic<Head> head{Head{nullptr, 0}};
alignas(64) long by_pair;
alignas(64) long by_triple;

void Publisher() {
  by_pair = 6 * 7;
  pair.store(Pair{1, 1}, std::memory_order_release);
  by_triple = 1000;
  triple.store(Triple{1, 1, 0}, std::memory_order_release);
}

void Pusher(Node* node) {
  node->value = 99;
  Head old = head.load(std::memory_order_relaxed);
  do {
    node->next = old.top;
  } while (!head.compare_exchange_weak(old, Head{node, old.tag + 1}, std::memory_order_release,
                                       std::memory_order_relaxed));
}

int main() {
  Node node{0, nullptr};
  std::thread publisher(Publisher);
  std::thread pusher(Pusher, &node);
  while (pair.load(std::memory_order_acquire).ready == 0) {
  }
  long first = by_pair;
  while (triple.load(std::memory_order_acquire).ready == 0) {
  }
  long second = by_triple;
  Head top = head.load(std::memory_order_acquire);
  while (top.top == nullptr ||
         !head.compare_exchange_weak(top, Head{top.top->next, top.tag + 1},
                                     std::memory_order_acquire, std::memory_order_acquire)) {
    if (top.top == nullptr) top = head.load(std::memory_order_acquire);
  }
  long third = top.top->value;
  publisher.join();
  pusher.join();
  std::printf("%ld %ld %ld\n", first, second, third);
}
